// The Temporal client side of `generation-<jobId>`: starting a job's workflow, and the
// messages the API sends it (a person's cancellation, a reviewer's decision, a
// provider's webhook). Reading a job's state is not here: PostgreSQL holds it.
import type { Client, WorkflowUpdateHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { ProviderName } from '../domain/models.ts';
import { TASK_QUEUES, searchAttributes, workflowIds } from '../domain/temporal.ts';
import {
  cancelRequestedSignal,
  cancelUpdate,
  providerUpdateSignal,
  reviewDecisionSignal,
  type GenerationInput,
  type GenerationState,
  type ProviderUpdate,
  type ReviewDecision,
  type generationWorkflow,
} from '../workflows/generation.ts';
import { signalFor, type WorkflowSignal } from './signals.ts';
import { startOnce } from './start.ts';
import { startUpdateIfRunning } from './updates.ts';

/**
 * Starts the job's workflow; one already started (a retried create) is left as it is. A
 * job has one workflow: one that completed is never run again (a create retried with the
 * same key after the job ended ran it a second time); one that failed may be.
 */
export async function startGeneration(client: Client, input: GenerationInput, status: string): Promise<void> {
  await startOnce<typeof generationWorkflow>(client, 'generationWorkflow', {
    taskQueue: TASK_QUEUES.generation,
    workflowId: workflowIds.generation(input.jobId),
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    args: [input],
    typedSearchAttributes: [
      { key: searchAttributes.userId, value: input.userId },
      { key: searchAttributes.jobStatus, value: status },
    ],
  });
}

/** A job's row, as far as the start of its workflow needs it. */
export interface JobToStart {
  id: string;
  user?: string | null;
  model: string;
  provider: string;
  creditsQuoted: number;
  parameters: Record<string, unknown>;
  status: string;
  reviewOfJobId?: string | null;
}

/** Starts the workflow of a job as its row describes it (startGeneration). */
export function startJobWorkflow(client: Client, job: JobToStart): Promise<void> {
  return startGeneration(
    client,
    {
      jobId: job.id,
      userId: job.user!,
      modelId: job.model,
      provider: job.provider as ProviderName,
      credits: job.creditsQuoted,
      fallbackAllowed: Boolean(job.parameters.fallbackAllowed),
      // D-ADM: a re-run of a refused job waits for its reviewer first.
      ...(job.reviewOfJobId ? { reviewRequested: true } : {}),
    },
    job.status,
  );
}

/**
 * Asks the job to cancel, answered once its workflow took the cancel; the handle's result
 * is the job's final state. Null when no such workflow exists.
 */
export const askToCancelGeneration = (
  client: Client,
  jobId: string,
  requestedBy: string,
): Promise<WorkflowUpdateHandle<GenerationState> | null> =>
  startUpdateIfRunning(client, workflowIds.generation(jobId), cancelUpdate, { requestedBy });

/** A cancel Temporal did not take in time, for the untold-signals sweep to tell. */
export const cancelRequestedSignalFor = (jobId: string, requestedBy: string): WorkflowSignal =>
  signalFor(workflowIds.generation(jobId), cancelRequestedSignal, { requestedBy });

/**
 * A provider's callback: a hint to look now. One for a job that has ended is dropped;
 * one Temporal did not take in time is told by the untold-signals sweep.
 */
export const providerUpdateSignalFor = (jobId: string, update: ProviderUpdate): WorkflowSignal =>
  signalFor(workflowIds.generation(jobId), providerUpdateSignal, update);

/** A person's decision on the job's review: the job goes on, or ends refunded. */
export function reviewDecisionSignalFor(jobId: string, decision: ReviewDecision): WorkflowSignal {
  return signalFor(workflowIds.generation(jobId), reviewDecisionSignal, decision);
}

/**
 * Asks the job to cancel without waiting for it to end (an account deletion polls the
 * jobs' rows instead). 'ended' when the job never started or its workflow has closed; a
 * job that ended with its workflow still open refuses the cancel in its validator,
 * which this does not wait to hear: its row already says it ended.
 */
export async function requestGenerationCancel(
  client: Client,
  jobId: string,
  requestedBy: string,
): Promise<'asked' | 'ended'> {
  const asked = await startUpdateIfRunning(client, workflowIds.generation(jobId), cancelUpdate, {
    requestedBy,
  });
  return asked ? 'asked' : 'ended';
}
