// The Temporal client side of `retention-<assetId>`: its id and start options, and the
// messages the rest of the platform sends it. The API (uploads, deletions, holds) and
// activities (outputs, exports, temporary renders) start it where they store the object,
// so every stored object gets exactly one retention workflow.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import type { AssetKind } from '../domain/retention.ts';
import { TASK_QUEUES, searchAttributes, workflowIds } from '../domain/temporal.ts';
import {
  deleteNowSignal,
  holdReleasedSignal,
  type AssetRetentionInput,
  type DeleteNowRequest,
  type assetRetentionWorkflow,
} from '../workflows/retention.ts';
import { signalFor, type WorkflowSignal } from './signals.ts';
import { startOnce } from './start.ts';

/** The asset fields a retention workflow needs, as an Asset row carries them. */
export interface RetainedAsset {
  id: string;
  user?: string | null;
  kind: AssetKind;
  objectKey: string;
  deleteAt?: Date | string | null;
}

export function retentionInputFor(asset: RetainedAsset): AssetRetentionInput {
  if (!asset.deleteAt) throw new Error(`asset ${asset.id} has no delete-at`);
  return {
    assetId: asset.id,
    userId: asset.user ?? null,
    kind: asset.kind,
    objectKey: asset.objectKey,
    deleteAt: new Date(asset.deleteAt).toISOString(),
  };
}

/**
 * Id, task queue, search attributes and reuse policy of an asset's retention workflow.
 * A finished retention (object deleted) is never started again; a failed one may be.
 */
export function retentionWorkflowOptions(input: AssetRetentionInput) {
  const typedSearchAttributes: SearchAttributePair[] = [
    { key: searchAttributes.assetKind, value: input.kind },
    { key: searchAttributes.dueAt, value: new Date(input.deleteAt) },
  ];
  if (input.userId) typedSearchAttributes.push({ key: searchAttributes.userId, value: input.userId });
  return {
    workflowId: workflowIds.retention(input.assetId),
    taskQueue: TASK_QUEUES.retention,
    args: [input] as [AssetRetentionInput],
    typedSearchAttributes,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
  };
}

/**
 * Starts the asset's retention workflow; a running or finished one is left as it is. Its
 * first workflow task waits for the delete-at (Temporal's start delay): a sleeping
 * retention costs Temporal one start and the worker nothing, not a task, a timer and a
 * cached run. A delete-now request (signal-with-start) ends the wait at once; the state
 * query answers once the first task has run (before that, the start event's
 * `firstWorkflowTaskBackoff` and the `DueAt` search attribute tell the time).
 */
export async function startRetention(client: Client, asset: RetainedAsset): Promise<string> {
  const input = retentionInputFor(asset);
  const options = retentionWorkflowOptions(input);
  const wait = Date.parse(input.deleteAt) - Date.now();
  await startOnce<typeof assetRetentionWorkflow>(client, 'assetRetentionWorkflow', {
    ...options,
    ...(wait > 0 ? { startDelay: wait } : {}),
  });
  return options.workflowId;
}

/**
 * Tells the asset's retention workflow to delete now, or (with a proof id) that the
 * object is already deleted. A missing workflow (never started, or failed) is started
 * with the request, so a deletion is never lost. False when the retention already ended.
 */
export async function requestRetentionDeletion(
  client: Client,
  asset: RetainedAsset,
  request: DeleteNowRequest,
): Promise<boolean> {
  try {
    await client.workflow.signalWithStart<typeof assetRetentionWorkflow, [DeleteNowRequest]>(
      'assetRetentionWorkflow',
      {
        ...retentionWorkflowOptions(retentionInputFor(asset)),
        signal: deleteNowSignal,
        signalArgs: [request],
      },
    );
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/**
 * Tells the retention workflows whose deletion a hold deferred that it was released. A
 * workflow that has ended has nothing left to do and is skipped.
 */
export function holdReleasedSignals(assetIds: readonly string[], holdId: string): WorkflowSignal[] {
  return assetIds.map((assetId) => signalFor(workflowIds.retention(assetId), holdReleasedSignal, { holdId }));
}
