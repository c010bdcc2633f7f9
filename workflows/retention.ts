// One workflow per stored object (`retention-<assetId>`, task queue `storage`): a durable
// timer to the asset's delete-at, cut short by a delete-now request (R-IN-EARLY), held
// back by legal holds (R-HOLD), ending with the object deleted, its absence verified and
// a proof recorded (R-PROOF). The delete-at arrives as an absolute time computed once
// when the object was stored, so neither a restart nor a replay ever moves it.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  SearchAttributeType,
  WorkflowIdReusePolicy,
  defineSearchAttributeKey,
  type SearchAttributePair,
} from '@temporalio/common';
import type { StorageActivities } from '../activities/storage/index.ts';
import {
  HOLD_RECHECK_INTERVAL_MS,
  type AssetKind,
  type DeletionReason,
  type RetentionStatus,
} from '../domain/storage.ts';
import { TASK_QUEUES, workflowIds } from '../domain/temporal.ts';
import { MINUTE, SECOND } from '../domain/time.ts';

// ---------------------------------------------------------------- messages

export interface DeleteNowRequest {
  reason: DeletionReason;
  /** The user or staff member who asked; omitted for system requests. */
  requestedBy?: string | null;
}
export interface LegalHoldMessage {
  holdId: string;
}

/** Delete before the timer (R-IN-EARLY, account deletion, minors, a finished job's temp files). */
export const deleteNowSignal = defineSignal<[DeleteNowRequest]>('deleteNow');
export const legalHoldPlacedSignal = defineSignal<[LegalHoldMessage]>('legalHoldPlaced');
export const legalHoldReleasedSignal = defineSignal<[LegalHoldMessage]>('legalHoldReleased');

export interface AssetRetentionState {
  status: RetentionStatus;
  /** ISO time the timer fires. */
  deleteAt: string;
  /** Ids of the legal holds known to cover the asset. */
  holds: string[];
  /** Why deletion was asked for (null while only the timer is pending). */
  reason: DeletionReason | null;
  requestedAt: string | null;
  /** How many times a deletion was due but deferred by a hold. */
  deferrals: number;
  deletedAt: string | null;
  proofId: string | null;
}
export const retentionStateQuery = defineQuery<AssetRetentionState>('state');

// ---------------------------------------------------------------- input and start options

export interface AssetRetentionInput {
  assetId: string;
  /** The owner; null when the account is already gone. */
  userId: string | null;
  kind: AssetKind;
  objectKey: string;
  /** Absolute ISO time the object must be gone by. */
  deleteAt: string;
  /** Carried over by continue-as-new: a deletion already asked for. */
  pendingRequest?: PendingRequest;
}

interface PendingRequest {
  reason: DeletionReason;
  requestedBy: string | null;
  at: string;
}

export const userIdSearchAttribute = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const assetKindSearchAttribute = defineSearchAttributeKey('AssetKind', SearchAttributeType.KEYWORD);
export const dueAtSearchAttribute = defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME);

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
 * Id, task queue, search attributes and reuse policy of an asset's retention workflow:
 * the same for `client.workflow.start` and for `startChild` (add
 * `parentClosePolicy: ParentClosePolicy.ABANDON` there, so the timer outlives the job).
 * A finished retention (object deleted) is never started again; a failed one may be.
 */
export function retentionWorkflowOptions(input: AssetRetentionInput) {
  const typedSearchAttributes: SearchAttributePair[] = [
    { key: assetKindSearchAttribute, value: input.kind },
    { key: dueAtSearchAttribute, value: new Date(input.deleteAt) },
  ];
  if (input.userId) typedSearchAttributes.push({ key: userIdSearchAttribute, value: input.userId });
  return {
    workflowId: workflowIds.retention(input.assetId),
    taskQueue: TASK_QUEUES.storage,
    args: [input] as [AssetRetentionInput],
    typedSearchAttributes,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
  };
}

// ---------------------------------------------------------------- activities

const holdsLookup = proxyLocalActivities<StorageActivities>({
  startToCloseTimeout: 10 * SECOND,
  retry: { initialInterval: SECOND, backoffCoefficient: 2, maximumInterval: MINUTE },
});

// Deletion retries until the store and database answer: a promised deletion must happen,
// however long an outage lasts. A legal hold found in the database is the one answer
// that stops it, and the workflow then waits for the release.
const deletion = proxyActivities<StorageActivities>({
  startToCloseTimeout: MINUTE,
  retry: {
    initialInterval: SECOND,
    backoffCoefficient: 2,
    maximumInterval: MINUTE,
    nonRetryableErrorTypes: ['AssetOnHold'],
  },
});

const records = proxyActivities<StorageActivities>({
  startToCloseTimeout: 30 * SECOND,
  retry: { initialInterval: SECOND, backoffCoefficient: 2, maximumInterval: MINUTE },
});

function isHoldFailure(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === 'AssetOnHold'
  );
}

// ---------------------------------------------------------------- the workflow

export async function assetRetentionWorkflow(input: AssetRetentionInput): Promise<AssetRetentionState> {
  const state: AssetRetentionState = {
    status: 'scheduled',
    deleteAt: input.deleteAt,
    holds: [],
    reason: input.pendingRequest?.reason ?? null,
    requestedAt: input.pendingRequest?.at ?? null,
    deferrals: 0,
    deletedAt: null,
    proofId: null,
  };
  let request: PendingRequest | null = input.pendingRequest ?? null;
  // Releases seen by signal, so a database read that raced with one cannot bring it back.
  const released = new Set<string>();
  const refresh = () => {
    if (state.status === 'deleting' || state.status === 'deleted') return;
    state.status = state.holds.length > 0 ? 'held' : 'scheduled';
  };
  const mergeHolds = (ids: string[]) => {
    for (const id of ids) if (!released.has(id) && !state.holds.includes(id)) state.holds.push(id);
    refresh();
  };

  setHandler(retentionStateQuery, () => state);
  setHandler(deleteNowSignal, (req) => {
    if (request) return; // the first request's reason is the one recorded
    request = { reason: req.reason, requestedBy: req.requestedBy ?? null, at: new Date().toISOString() };
    state.reason = request.reason;
    state.requestedAt = request.at;
  });
  setHandler(legalHoldPlacedSignal, ({ holdId }) => {
    released.delete(holdId);
    mergeHolds([holdId]);
  });
  setHandler(legalHoldReleasedSignal, ({ holdId }) => {
    released.add(holdId);
    state.holds = state.holds.filter((h) => h !== holdId);
    refresh();
  });

  // The database is the authority on holds; what it says now replaces what signals said.
  const reloadHolds = async () => {
    const current = await holdsLookup.loadAssetHolds(input.assetId, input.userId);
    for (const id of current) released.delete(id);
    state.holds = current;
    refresh();
  };

  // Holds placed before this workflow existed (a user hold covers new uploads too).
  mergeHolds(await holdsLookup.loadAssetHolds(input.assetId, input.userId));
  const deleteAtMs = Date.parse(input.deleteAt);

  for (;;) {
    if (!request) {
      const remaining = deleteAtMs - Date.now();
      if (remaining > 0) await condition(() => request !== null, remaining);
      if (!request) {
        request = { reason: 'timer', requestedBy: null, at: new Date().toISOString() };
        state.reason = 'timer';
        state.requestedAt = request.at;
      }
    }

    if (state.holds.length > 0) {
      // Due, but held: record the deferral, then wait for the last release.
      state.deferrals += 1;
      await records.recordDeletionDeferred({
        deferralId: `${workflowInfo().runId}:${state.deferrals}`,
        assetId: input.assetId,
        userId: input.userId,
        reason: request.reason,
        holdIds: [...state.holds],
      });
      while (state.holds.length > 0) {
        const releasedAll = await condition(() => state.holds.length === 0, HOLD_RECHECK_INTERVAL_MS);
        if (releasedAll) break;
        // A lost release signal must not hold the asset forever: the database decides.
        await reloadHolds();
        if (state.holds.length > 0 && workflowInfo().continueAsNewSuggested) {
          await continueAsNew<typeof assetRetentionWorkflow>({ ...input, pendingRequest: request });
        }
      }
      continue;
    }

    state.status = 'deleting';
    try {
      const outcome = await deletion.deleteAssetObject({
        assetId: input.assetId,
        userId: input.userId,
        kind: input.kind,
        objectKey: input.objectKey,
        reason: request.reason,
        requestedBy: request.requestedBy,
        requestedAt: request.at,
      });
      state.status = 'deleted';
      state.reason = outcome.reason;
      state.deletedAt = outcome.deletedAt;
      state.proofId = outcome.proofId;
      return state;
    } catch (err) {
      if (!isHoldFailure(err)) throw err;
      // The database knows a hold this workflow missed (defense in depth): read the
      // holds afresh and defer; if the hold was released meanwhile, deletion goes on.
      state.status = 'scheduled';
      await reloadHolds();
    }
  }
}
