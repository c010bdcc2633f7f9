// Starting and messaging asset retention workflows from outside a workflow: the API
// (uploads, delete-now, legal holds) and activities (temporary files) use these, so
// every stored object gets exactly one `retention-<assetId>` workflow.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { HOLD_SIGNAL_CONCURRENCY } from '../../domain/storage.ts';
import { workflowIds } from '../../domain/temporal.ts';
import {
  assetRetentionWorkflow,
  deleteNowSignal,
  legalHoldPlacedSignal,
  legalHoldReleasedSignal,
  retentionInputFor,
  retentionWorkflowOptions,
  type DeleteNowRequest,
  type RetainedAsset,
} from '../../workflows/retention.ts';

/**
 * Starts the asset's retention workflow; idempotent: an already running (or finished)
 * one is left as it is. Returns the workflow id.
 */
export async function startAssetRetention(client: Client, asset: RetainedAsset): Promise<string> {
  const options = retentionWorkflowOptions(retentionInputFor(asset));
  try {
    await client.workflow.start(assetRetentionWorkflow, options);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return options.workflowId;
}

/**
 * Asks the asset's retention workflow to delete now. If the workflow is missing (never
 * started, or failed), it is started with the request, so a deletion is never lost.
 * Returns false when the retention already finished (the object is deleted).
 */
export async function requestAssetDeletion(
  client: Client,
  asset: RetainedAsset,
  request: DeleteNowRequest,
): Promise<boolean> {
  const options = retentionWorkflowOptions(retentionInputFor(asset));
  try {
    await client.workflow.signalWithStart(assetRetentionWorkflow, {
      ...options,
      signal: deleteNowSignal,
      signalArgs: [request],
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/**
 * Tells the retention workflows of these assets that a hold was placed or released.
 * A workflow that does not exist yet reads the holds itself when it starts, and one
 * that has finished has nothing left to hold; both are skipped. Returns how many were
 * signalled.
 */
export async function signalLegalHold(
  client: Client,
  assetIds: readonly string[],
  holdId: string,
  change: 'placed' | 'released',
): Promise<number> {
  const signal = change === 'placed' ? legalHoldPlacedSignal : legalHoldReleasedSignal;
  let signalled = 0;
  let next = 0;
  const worker = async () => {
    while (next < assetIds.length) {
      const assetId = assetIds[next++]!;
      try {
        await client.workflow.getHandle(workflowIds.retention(assetId)).signal(signal, { holdId });
        signalled++;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HOLD_SIGNAL_CONCURRENCY, assetIds.length) }, worker));
  return signalled;
}
