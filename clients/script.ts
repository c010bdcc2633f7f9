// The Temporal client side of `script-<projectId>`: a run sent as a signal that starts
// the workflow when it is not running (signal-with-start: an edit made after the last
// run ended starts it again under the same id), and the creator's cancellation. Reading
// a project's state is not here: PostgreSQL holds it.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { TASK_QUEUES, searchAttributes, workflowIds } from '../domain/temporal.ts';
import {
  cancelUpdate,
  runSignal,
  type RunRequest,
  type ScriptInput,
  type scriptWorkflow,
} from '../workflows/script.ts';

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
 * Cancels the project's running run and waits until it has ended; false when nothing
 * runs (the workflow is gone, or between runs).
 */
export async function cancelScriptRun(
  client: Client,
  projectId: string,
  requestedBy: string,
): Promise<boolean> {
  try {
    await client.workflow
      .getHandle(workflowIds.script(projectId))
      .executeUpdate(cancelUpdate, { args: [{ requestedBy }] });
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError) return false;
    throw err;
  }
}
