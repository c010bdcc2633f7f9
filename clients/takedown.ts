// The Temporal client side of `takedown-<id>`: starting a request's workflow when it is
// filed, and the messages the API sends it (the legal decision, the creator's answer).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TASK_QUEUES, workflowIds } from '../domain/temporal.ts';
import {
  takedownAnswerSignal,
  takedownDecisionSignal,
  type TakedownDecisionMessage,
  type TakedownInput,
  type takedownWorkflow,
} from '../workflows/takedown.ts';
import { startOnce } from './start.ts';

export async function startTakedown(client: Client, input: TakedownInput): Promise<string> {
  const workflowId = workflowIds.takedown(input.takedownId);
  await startOnce<typeof takedownWorkflow>(client, 'takedownWorkflow', {
    taskQueue: TASK_QUEUES.privacy,
    workflowId,
    args: [input],
  });
  return workflowId;
}

export async function signalTakedownDecision(
  client: Client,
  takedownId: string,
  decision: TakedownDecisionMessage,
): Promise<void> {
  await client.workflow.getHandle(workflowIds.takedown(takedownId)).signal(takedownDecisionSignal, decision);
}

/** The creator's answer; one arriving after the request closed is kept on the row only. */
export async function signalTakedownAnswer(client: Client, takedownId: string): Promise<void> {
  try {
    await client.workflow.getHandle(workflowIds.takedown(takedownId)).signal(takedownAnswerSignal);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
