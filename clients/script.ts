// The Temporal client side of `script-<projectId>`: a run sent as a signal that starts
// the workflow when it is not running (signal-with-start: an edit made after the last
// run ended starts it again under the same id), and the creator's cancellation: asked,
// or, while Temporal does not answer, a signal kept for the sweep. Reading a project's
// state is not here: PostgreSQL holds it.
import { WorkflowUpdateFailedError, type Client, type WorkflowUpdateHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { TASK_QUEUES, searchAttributes, workflowIds } from '../domain/temporal.ts';
import {
  cancelRequestedSignal,
  cancelUpdate,
  runSignal,
  type RunRequest,
  type ScriptInput,
  type ScriptState,
  type scriptWorkflow,
} from '../workflows/script.ts';
import { signalFor, type WorkflowSignal } from './signals.ts';
import { startUpdateIfRunning } from './updates.ts';

/** Tells the project's workflow to make this run, starting the workflow if needed. */
export async function startScriptRun(client: Client, input: ScriptInput, request: RunRequest): Promise<void> {
  await client.workflow.signalWithStart<typeof scriptWorkflow, [RunRequest]>('scriptWorkflow', {
    taskQueue: TASK_QUEUES.generation,
    workflowId: workflowIds.script(input.projectId),
    args: [input],
    signal: runSignal,
    signalArgs: [request],
    // One id for the project's whole life: each execution runs what was asked while it lived.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: [
      { key: searchAttributes.userId, value: input.userId },
      { key: searchAttributes.jobStatus, value: 'running' },
    ],
  });
}

/**
 * Asks the project's running run to cancel, answered once its workflow took the cancel:
 * the handle's result is the state once the run ended. Null when no such workflow runs.
 */
export const askToCancelScriptRun = (
  client: Client,
  projectId: string,
  requestedBy: string,
): Promise<WorkflowUpdateHandle<ScriptState> | null> =>
  startUpdateIfRunning(client, workflowIds.script(projectId), cancelUpdate, { requestedBy });

/** Waits for the run's end; false when the workflow refused the cancel: no run goes on. */
export async function scriptRunCancelled(cancelling: WorkflowUpdateHandle<ScriptState>): Promise<boolean> {
  try {
    await cancelling.result();
    return true;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return false;
    throw err;
  }
}

/** A run's cancel Temporal did not take in time, for the untold-signals sweep to tell. */
export const cancelRequestedSignalFor = (
  projectId: string,
  revisionId: string,
  requestedBy: string,
): WorkflowSignal =>
  signalFor(workflowIds.script(projectId), cancelRequestedSignal, { requestedBy, revisionId });
