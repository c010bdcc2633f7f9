// The Temporal client side of `takedown-<id>`: starting a request's workflow when it is
// filed, and the messages the API sends it (the legal decision, the creator's answer).
import type { Client } from '@temporalio/client';
import { TASK_QUEUES, workflowIds } from '../domain/temporal.ts';
import {
  takedownAnswerSignal,
  takedownDecisionSignal,
  type TakedownDecisionMessage,
  type TakedownInput,
  type takedownWorkflow,
} from '../workflows/takedown.ts';
import { signalFor } from './signals.ts';
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

/** The legal team's decision (already written on the row). */
export const takedownDecisionSignalFor = (takedownId: string, decision: TakedownDecisionMessage) =>
  signalFor(workflowIds.takedown(takedownId), takedownDecisionSignal, decision);

/** The creator's answer; one arriving after the request closed is kept on the row only. */
export const takedownAnswerSignalFor = (takedownId: string) =>
  signalFor(workflowIds.takedown(takedownId), takedownAnswerSignal);
