// The Temporal client side of `parental-consent-<userId>` (D-MINOR): its timer starts at
// sign-up, and the parent's confirmation ends it.
import type { Client } from '@temporalio/client';
import { TASK_QUEUES, searchAttributes, workflowIds } from '../domain/temporal.ts';
import {
  parentalConsentGivenSignal,
  type ParentalConsentInput,
  type parentalConsentWorkflow,
} from '../workflows/parental-consent.ts';
import { signalFor } from './signals.ts';
import { startOnce } from './start.ts';

export async function startParentalConsent(client: Client, input: ParentalConsentInput): Promise<void> {
  await startOnce<typeof parentalConsentWorkflow>(client, 'parentalConsentWorkflow', {
    taskQueue: TASK_QUEUES.privacy,
    workflowId: workflowIds.parentalConsent(input.userId),
    args: [input],
    typedSearchAttributes: [
      { key: searchAttributes.userId, value: input.userId },
      { key: searchAttributes.dueAt, value: new Date(Date.now() + input.periodMs) },
    ],
  });
}

/** The parent confirmed; a timer that already ended (or never started) has nothing to stop. */
export const parentalConsentGivenSignalFor = (userId: string) =>
  signalFor(workflowIds.parentalConsent(userId), parentalConsentGivenSignal);
