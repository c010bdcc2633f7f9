// One workflow per stored object (`retention-<assetId>`, task queue `retention`): it
// waits for the asset's delete-at, cut short by a delete-now request (R-IN-EARLY), and
// ends with the object deleted, its absence verified and a proof recorded (R-PROOF).
// The delete-at arrives as an absolute time computed once when the object was stored,
// so neither a restart nor a replay ever moves it.
//
// Its life is as cheap as Temporal allows (2 actions: the start and one local activity):
// it is started with a start delay to its delete-at (clients/retention.ts), so its first
// and only workflow task runs when it is due, with no timer (a run started without one,
// by a delete-now request or before this, waits on a timer here instead); the hold
// check happens inside the deletion (R-HOLD), a local activity in that task; and a
// deletion the API already did arrives with its proof id, so it needs no activity at
// all. A deletion deferred by a legal hold waits for the release signal, and looks again
// now and then in case a release signal was lost. An intermediate file (a script scene's
// clip) that a newer final video re-uses is found due later when its timer fires, and
// waits on to that video's time (R-INTERMEDIATE): two more actions, once per move.
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RetentionActivities } from '../activities/retention.ts';
import {
  HOLD_RECHECK_INTERVAL_MS,
  type AssetKind,
  type DeletionReason,
  type RetentionStatus,
} from '../domain/retention.ts';
import { MINUTE, SECOND } from '../domain/time.ts';

// ---------------------------------------------------------------- messages

export interface DeleteNowRequest {
  reason: DeletionReason;
  /** The user or staff member who asked; omitted for system requests. */
  requestedBy?: string | null;
  /** Set when the sender already deleted the object and recorded this proof. */
  proofId?: string | null;
}
export interface HoldReleasedMessage {
  holdId: string;
}

/** Delete before the timer (R-IN-EARLY, account deletion, minors), or: it is already deleted. */
export const deleteNowSignal = defineSignal<[DeleteNowRequest]>('deleteNow');
/** A legal hold that deferred this deletion was released: try again now (R-HOLD). */
export const holdReleasedSignal = defineSignal<[HoldReleasedMessage]>('legalHoldReleased');

export interface AssetRetentionState {
  status: RetentionStatus;
  /** ISO time the timer fires. */
  deleteAt: string;
  /** The legal holds that deferred the deletion, as the last attempt found them. */
  holds: string[];
  /** Why deletion was asked for (null while only the timer is pending). */
  reason: DeletionReason | null;
  requestedAt: string | null;
  /** How many attempts found the object held. */
  deferrals: number;
  deletedAt: string | null;
  proofId: string | null;
}
/** For operators in the Web UI; the platform itself reads the asset's row instead. */
export const retentionStateQuery = defineQuery<AssetRetentionState>('state');

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

// ---------------------------------------------------------------- activities

// Retried until the store and the database answer: a promised deletion must happen,
// however long an outage lasts. A hold is not a failure: it comes back as `deferred`.
const deletion = proxyLocalActivities<RetentionActivities>({
  startToCloseTimeout: MINUTE,
  retry: { initialInterval: SECOND, backoffCoefficient: 2, maximumInterval: MINUTE },
});

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
  let releases = 0;

  setHandler(retentionStateQuery, () => state);
  setHandler(deleteNowSignal, (req) => {
    if (req.proofId) state.proofId ??= req.proofId;
    if (request) return; // the first request's reason is the one recorded
    request = { reason: req.reason, requestedBy: req.requestedBy ?? null, at: new Date().toISOString() };
    state.reason = request.reason;
    state.requestedAt = request.at;
  });
  setHandler(holdReleasedSignal, () => {
    releases++;
  });

  const due = Date.parse(input.deleteAt) - Date.now();
  if (!request && due > 0) await condition(() => request !== null, due);
  request ??= { reason: 'timer', requestedBy: null, at: new Date().toISOString() };
  state.reason = request.reason;
  state.requestedAt = request.at;

  for (;;) {
    if (state.proofId) {
      // Deleted by whoever sent the request, with its proof: nothing is left to do.
      state.status = 'deleted';
      return state;
    }
    state.status = 'deleting';
    const outcome = await deletion.deleteAssetObject({
      assetId: input.assetId,
      userId: input.userId,
      kind: input.kind,
      objectKey: input.objectKey,
      reason: request.reason,
      requestedBy: request.requestedBy,
      requestedAt: request.at,
      dueAt: state.deleteAt,
    });
    if (outcome.status === 'postponed') {
      // R-INTERMEDIATE: a newer final video re-uses this file; it goes on that video's timer.
      state.status = 'scheduled';
      state.deleteAt = outcome.deleteAt;
      state.reason = null;
      state.requestedAt = null;
      request = null;
      await condition(() => request !== null, Math.max(0, Date.parse(outcome.deleteAt) - Date.now()));
      request ??= { reason: 'timer', requestedBy: null, at: new Date().toISOString() };
      state.reason = request.reason;
      state.requestedAt = request.at;
      continue;
    }
    if (outcome.status === 'deleted') {
      state.status = 'deleted';
      state.reason = outcome.reason;
      state.deletedAt = outcome.deletedAt;
      state.proofId = outcome.proofId;
      state.holds = [];
      return state;
    }
    // Due, but held: wait for a release (or another look, should its signal be lost).
    state.status = 'held';
    state.holds = outcome.holdIds;
    state.deferrals += 1;
    const seen = releases;
    await condition(() => releases !== seen || state.proofId !== null, HOLD_RECHECK_INTERVAL_MS);
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof assetRetentionWorkflow>({
        ...input,
        deleteAt: state.deleteAt,
        pendingRequest: request,
      });
    }
  }
}
