// The Temporal client side of `account-deletion-<userId>` (D-ERASE, D-MINOR, R-HOLD): its
// start, one per account at a time, and the message a legal hold's change sends it.
// (The messages every rights request gets are sent through clients/rights-request.ts.)
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowIds } from '../domain/temporal.ts';
import type { AccountDeletionInput, accountDeletionWorkflow } from '../workflows/account-deletion.ts';
import { holdChangedSignal } from '../workflows/rights-request.ts';
import { requestStartOptions } from './rights-request.ts';

export type { AccountDeletionInput } from '../workflows/account-deletion.ts';

/** One deletion per account at a time: its id is the person's (stored on the request's row). */
export const accountDeletionWorkflowId = (userId: string) => workflowIds.accountDeletion(userId);

/**
 * Starts the account's deletion; false when one is already running for the account
 * (one deletion per person at a time).
 */
export async function startAccountDeletion(client: Client, input: AccountDeletionInput): Promise<boolean> {
  try {
    await client.workflow.start<typeof accountDeletionWorkflow>('accountDeletionWorkflow', {
      ...requestStartOptions(input),
      workflowId: accountDeletionWorkflowId(input.userId),
      args: [input],
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** R-HOLD: a hold on the person changed; their deletion (if one is running) looks again. */
export async function signalDeletionHoldChange(client: Client, userId: string | null): Promise<boolean> {
  if (!userId) return false;
  try {
    await client.workflow.getHandle(accountDeletionWorkflowId(userId)).signal(holdChangedSignal);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
