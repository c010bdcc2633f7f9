// The Temporal client side of `account-deletion-<pseudonym>` (D-ERASE, D-MINOR, R-HOLD): its
// start, one per account at a time, and the message a legal hold's change sends it.
// (The messages every rights request gets are sent through clients/rights-request.ts.)
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { workflowIds } from '../domain/temporal.ts';
import type { AccountDeletionInput, accountDeletionWorkflow } from '../workflows/account-deletion.ts';
import { holdChangedSignal } from '../workflows/rights-request.ts';
import { requestStartOptions } from './rights-request.ts';
import { signalFor, type WorkflowSignal } from './signals.ts';

export type { AccountDeletionInput } from '../workflows/account-deletion.ts';

/**
 * One deletion per account at a time: its id is the account's pseudonym (stored on the
 * request's row), which is what the records kept after the deletion name the person by.
 */
export const accountDeletionWorkflowId = (pseudonym: string) => workflowIds.accountDeletion(pseudonym);

/**
 * Starts the account's deletion; false when one is already running for the account
 * (one deletion per person at a time).
 */
export async function startAccountDeletion(
  client: Client,
  input: AccountDeletionInput,
  pseudonym: string,
): Promise<boolean> {
  try {
    await client.workflow.start<typeof accountDeletionWorkflow>('accountDeletionWorkflow', {
      ...requestStartOptions(input),
      workflowId: accountDeletionWorkflowId(pseudonym),
      // Which request the running deletion serves: the id is the person's, shared by all.
      memo: { requestId: input.requestId },
      args: [input],
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/**
 * Whether the account's running deletion is this request's: a start tried again (its
 * first answered, its answer lost) finds its own deletion running, not another's.
 */
export async function deletionRunsFor(
  client: Client,
  pseudonym: string,
  requestId: string,
): Promise<boolean> {
  const { memo } = await client.workflow.getHandle(accountDeletionWorkflowId(pseudonym)).describe();
  return memo?.requestId === requestId;
}

/** R-HOLD: a hold on the person changed; their deletion (if one is running) looks again. */
export function deletionHoldChangeSignals(pseudonym: string | null): WorkflowSignal[] {
  return pseudonym ? [signalFor(accountDeletionWorkflowId(pseudonym), holdChangedSignal)] : [];
}
