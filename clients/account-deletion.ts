// The Temporal client side of `account-deletion-<userId>`: the messages other features
// send it. (Starting it is part of a rights request: clients/rights-request.ts.)
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowIds } from '../domain/temporal.ts';
import { holdChangedSignal } from '../workflows/privacyRequest.ts';

/** R-HOLD: a hold on the person changed; their deletion (if one is running) looks again. */
export async function signalDeletionHoldChange(client: Client, userId: string | null): Promise<boolean> {
  if (!userId) return false;
  try {
    await client.workflow.getHandle(workflowIds.accountDeletion(userId)).signal(holdChangedSignal);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
