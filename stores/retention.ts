// Deleting a stored object, as both sides do it: the retention workflow when its timer
// fires (as a local activity), the API when a person deletes a file (R-IN-EARLY), and
// a finished job for its temporary files (R-TEMP). The hold check happens here, where
// the deletion happens (R-HOLD): a held object is not touched, the deferral is
// recorded once per set of holds, and the asset stays `deleting` so the release finds it.
// Otherwise the object is deleted, its absence verified, and the proof, the asset row's
// final state and the audit event are written together (R-PROOF). Idempotent by asset id.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { requestRetentionDeletion, type RetainedAsset } from '../clients/retention.ts';
import { Asset, DeletionProof } from '../db/entities/index.ts';
import { parseAssetObjectKey, type AssetKind, type DeletionReason } from '../domain/retention.ts';
import { recordAudit } from '../platform/audit.ts';
import { ObjectNotDeleted, deleteObjectVerified, type VerifiedDeletion } from '../platform/objects.ts';
import type { ObjectStore } from '../platform/s3.ts';
import type { DeleteNowRequest } from '../workflows/retention.ts';
import { activeHoldIds } from './legal-hold.ts';
import {
  assetDedupeKey,
  recordDeletion,
  type DeletionRecord,
  type RecordedDeletion,
} from './retention-proof.ts';

export interface AssetDeletionRequest {
  assetId: string;
  /** What the caller knows of the asset, for an object whose row is already gone. */
  userId: string | null;
  kind: AssetKind;
  objectKey: string;
  reason: DeletionReason;
  requestedBy?: string | null;
  /** ISO time the deletion was asked for (the timer's firing, or the request). */
  requestedAt: string;
  /** Set when the overdue sweep deletes what a lost retention workflow left: its audit event names the run. */
  sweepId?: string;
}

export type AssetDeletion =
  | {
      status: 'deleted';
      proofId: string;
      reason: DeletionReason;
      deletedAt: string;
      objectExisted: boolean;
    }
  | { status: 'deferred'; holdIds: string[] };

export function deleted(
  proof: Pick<DeletionProof, 'id' | 'reason' | 'deletedAt' | 'objectExisted'>,
): AssetDeletion {
  return {
    status: 'deleted',
    proofId: proof.id,
    reason: proof.reason,
    deletedAt: proof.deletedAt.toISOString(),
    objectExisted: proof.objectExisted,
  };
}

/** What a deletion starts from, read in one round trip (lookUpDeletions). */
export interface DeletionState {
  /** The proof of an earlier deletion of this asset, if any. */
  proof: Pick<DeletionProof, 'id' | 'reason' | 'deletedAt' | 'objectExisted'> | null;
  asset: Pick<Asset, 'objectKey' | 'user' | 'kind' | 'status' | 'sha256' | 'sizeBytes' | 'deleteAt'> | null;
  /** The active holds on the asset or its owner, oldest first. */
  holdIds: string[];
  /** The owner the holds were looked up for. */
  holdsFor: string | null;
  /** That owner's pseudonym, for the proof (null without an account). */
  ownerPseudonym: string | null;
}

interface DeletionRow {
  proof: { id: string; reason: DeletionReason; deleted_at: string; object_existed: boolean } | null;
  asset: {
    object_key: string;
    user_id: string | null;
    kind: AssetKind;
    status: Asset['status'];
    sha256: string | null;
    size_bytes: number | null;
    delete_at: string | null;
  } | null;
  hold_ids: string[];
  holds_for: string | null;
  owner_pseudonym: string | null;
}

/**
 * The proof, the asset row, the active holds and the owner's pseudonym together: a due
 * object's deletion reads them on every timer, and one query instead of four saves it
 * three database round trips (bench/retention.ts); a batch of deletions reads them all
 * in that one query. The holds are those of the asset's owner as the row names it, else
 * as the request does. Answers in the requests' order.
 */
export async function lookUpDeletions(
  em: EntityManager,
  inputs: Pick<AssetDeletionRequest, 'assetId' | 'userId' | 'objectKey'>[],
): Promise<DeletionState[]> {
  const rows = await em.execute<DeletionRow[]>(
    `select (select jsonb_build_object('id', id, 'reason', reason, 'deleted_at', deleted_at, 'object_existed', object_existed)
               from deletion_proofs where dedupe_key = r.dedupe_key) as proof,
            to_jsonb(a) as asset,
            array(select h.id from legal_holds h
                   where h.released_at is null and (h.asset_id = r.asset_id or h.user_id = o.id)
                   order by h.placed_at, h.id)::text[] as hold_ids,
            o.id as holds_for,
            (select pseudonym from users where id = o.id) as owner_pseudonym
       from unnest(array[?]::uuid[], array[?]::uuid[], array[?]::text[]) with ordinality as r(asset_id, owner_hint, dedupe_key, n)
       left join lateral (select object_key, user_id, kind, status, sha256, size_bytes, delete_at
                            from assets where id = r.asset_id) a on true
       cross join lateral (select coalesce(a.user_id, r.owner_hint) as id) o
      order by r.n`,
    [
      inputs.map((input) => input.assetId),
      inputs.map((input) => input.userId ?? parseAssetObjectKey(input.objectKey)?.userId ?? null),
      inputs.map((input) => assetDedupeKey(input.assetId)),
    ],
  );
  return rows.map(deletionState);
}

function deletionState({ proof, asset, ...row }: DeletionRow): DeletionState {
  return {
    proof: proof && {
      id: proof.id,
      reason: proof.reason,
      deletedAt: new Date(proof.deleted_at),
      objectExisted: proof.object_existed,
    },
    asset: asset && {
      objectKey: asset.object_key,
      user: asset.user_id,
      kind: asset.kind,
      status: asset.status,
      sha256: asset.sha256,
      sizeBytes: asset.size_bytes,
      deleteAt: asset.delete_at ? new Date(asset.delete_at) : null,
    },
    holdIds: row.hold_ids,
    holdsFor: row.holds_for,
    ownerPseudonym: row.owner_pseudonym,
  };
}

async function lookUpDeletion(em: EntityManager, input: AssetDeletionRequest): Promise<DeletionState> {
  const [found] = await lookUpDeletions(em, [input]);
  return found!;
}

/** Deletes the object with proof, or records that a legal hold defers it (R-HOLD). */
export async function deleteAsset(
  deps: { orm: MikroORM; store: ObjectStore },
  input: AssetDeletionRequest,
): Promise<AssetDeletion> {
  const em = deps.orm.em.fork();
  return deleteLookedUp(deps, em, input, await lookUpDeletion(em, input));
}

export async function deleteLookedUp(
  deps: { orm: MikroORM; store: ObjectStore },
  em: EntityManager,
  input: AssetDeletionRequest,
  state: DeletionState,
): Promise<AssetDeletion> {
  if (state.proof) return deleted(state.proof);
  const { objectKey, ownerId } = deletionOwner(input, state);
  // The owner differs from the one the lookup assumed only for a row without an owner
  // whose key names another: look again for that owner.
  const holdIds =
    ownerId === state.holdsFor ? state.holdIds : await activeHoldIds(em, input.assetId, ownerId);
  if (holdIds.length > 0) {
    await recordDeferral(em, { ...input, userId: ownerId }, holdIds);
    return { status: 'deferred', holdIds };
  }
  if (state.asset && state.asset.status !== 'deleting') {
    await em.nativeUpdate(Asset, { id: input.assetId, status: { $ne: 'deleted' } }, { status: 'deleting' });
  }
  const deletion = await deleteObjectVerified(deps.store, objectKey);
  const record = deletionRecord(input, state, deletion);
  return recordedOutcome(em, await recordDeletion(em, record.fields, record.audit), input, deletion);
}

/** The object the deletion removes and its owner: as the asset's row says, else as the request or the key does. */
export function deletionOwner(
  input: AssetDeletionRequest,
  { asset }: Pick<DeletionState, 'asset'>,
): { objectKey: string; ownerId: string | null } {
  const objectKey = asset?.objectKey ?? input.objectKey;
  return {
    objectKey,
    ownerId: asset?.user ?? input.userId ?? parseAssetObjectKey(objectKey)?.userId ?? null,
  };
}

/** The proof and the audit event of a deletion done. */
export function deletionRecord(
  input: AssetDeletionRequest,
  state: DeletionState,
  deletion: VerifiedDeletion,
): DeletionRecord {
  const { objectKey, ownerId } = deletionOwner(input, state);
  const requestedBy = input.requestedBy ?? null;
  const kind = state.asset?.kind ?? input.kind;
  return {
    fields: {
      dedupeKey: assetDedupeKey(input.assetId),
      assetId: input.assetId,
      objectKey,
      kind,
      ownerId,
      // Looked up with the holds, unless the owner turned out to be another.
      ...(ownerId === state.holdsFor ? { ownerPseudonym: state.ownerPseudonym } : {}),
      reason: input.reason,
      requestedBy,
      requestedAt: new Date(input.requestedAt),
      deletedAt: deletion.deletedAt,
      objectExisted: deletion.before !== null,
      contentSha256: state.asset?.sha256 ?? null,
      sizeBytes: deletion.before?.sizeBytes ?? state.asset?.sizeBytes ?? null,
      verifiedAt: deletion.verifiedAt,
      verification: deletion.verification,
    },
    audit: {
      action: 'asset.deleted',
      actorId: requestedBy,
      actorRole: requestedBy ? null : 'system',
      targetType: 'asset',
      targetId: input.assetId,
      subjectUserId: ownerId,
      details: { reason: input.reason, kind, ...(input.sweepId ? { sweepId: input.sweepId } : {}) },
    },
  };
}

/** What a recorded deletion answers: its own proof, or the one a concurrent deletion wrote first. */
export async function recordedOutcome(
  em: EntityManager,
  { proofId, created }: RecordedDeletion,
  input: AssetDeletionRequest,
  deletion: VerifiedDeletion,
): Promise<AssetDeletion> {
  if (created) {
    return {
      status: 'deleted',
      proofId,
      reason: input.reason,
      deletedAt: deletion.deletedAt.toISOString(),
      objectExisted: deletion.before !== null,
    };
  }
  // A concurrent deletion (a person's request racing the timer) recorded first: its
  // proof is the one that stands.
  return deleted(await em.fork().findOneOrFail(DeletionProof, { id: proofId }));
}

/**
 * R-INTERMEDIATE: an intermediate file is kept as long as the newest final video that
 * uses it, so its delete-at moves later when a new revision re-uses it. When its timer
 * fires for the time it was set to (`dueAt`), this says where the time moved, or null
 * when it did not move and the file is due now.
 */
export function movedFrom(asset: Pick<Asset, 'kind' | 'status' | 'deleteAt'>, dueAt: string): string | null {
  if (asset.kind !== 'intermediate' || asset.status !== 'stored' || !asset.deleteAt) return null;
  return asset.deleteAt.getTime() > Date.parse(dueAt) ? asset.deleteAt.toISOString() : null;
}

/**
 * Marks the asset as waiting for deletion and audits the deferral, once per asset and
 * set of holds: a retry, or a later look at the same holds, records nothing new.
 */
async function recordDeferral(
  em: EntityManager,
  input: AssetDeletionRequest,
  holdIds: readonly string[],
): Promise<void> {
  const deferralId = `${input.assetId}:${[...holdIds].sort().join(',')}`;
  await em.fork().transactional(async (tx) => {
    // Serialise with a concurrent attempt at the same deferral, then check for it.
    await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [deferralId]);
    const [seen] = await tx.execute<{ n: number }[]>(
      `select count(*)::int as n from audit_events
        where action = 'asset.deletion_deferred' and target_id = ? and details->>'deferralId' = ?`,
      [input.assetId, deferralId],
    );
    await tx.nativeUpdate(
      Asset,
      { id: input.assetId, status: { $in: ['stored', 'missing'] } },
      { status: 'deleting' },
    );
    if ((seen?.n ?? 0) > 0) return;
    await recordAudit(tx, {
      action: 'asset.deletion_deferred',
      actorRole: 'system',
      targetType: 'asset',
      targetId: input.assetId,
      subjectUserId: input.userId,
      details: { deferralId, reason: input.reason, holdIds: [...holdIds] },
    });
  });
}

/**
 * How a deletion reaches the asset's retention workflow: by default a signal-with-start
 * (clients/retention.ts), which fails while Temporal does not answer; a person's request
 * gives one that, while Temporal does not answer, records the request for the unstarted
 * sweep instead (use-cases/retention-workflow.ts).
 */
export type RetentionTeller = (asset: RetainedAsset, request: DeleteNowRequest) => Promise<unknown>;

/**
 * Deletes an asset now, for a person (R-IN-EARLY), an account deletion or a finished
 * job, and lets its retention workflow end: the signal carries the proof, so the
 * workflow has nothing left to do. Under a legal hold nothing is deleted: the request
 * goes to the workflow, which deletes as soon as the last hold is released.
 */
export async function deleteAssetNow(
  deps: { orm: MikroORM; store: ObjectStore; temporal: { client: Client } },
  asset: RetainedAsset,
  request: { reason: DeletionReason; requestedBy?: string | null },
  tellRetention: RetentionTeller = (a, r) => requestRetentionDeletion(deps.temporal.client, a, r),
): Promise<AssetDeletion> {
  const outcome = await deleteAsset(deps, {
    assetId: asset.id,
    userId: asset.user ?? null,
    kind: asset.kind,
    objectKey: asset.objectKey,
    reason: request.reason,
    requestedBy: request.requestedBy ?? null,
    requestedAt: new Date().toISOString(),
  });
  await tellRetention(asset, {
    reason: request.reason,
    requestedBy: request.requestedBy ?? null,
    proofId: outcome.status === 'deleted' ? outcome.proofId : null,
  });
  return outcome;
}

/** deleteAssetSoon's answer: deleted, deferred by a hold, or handed to the retention workflow. */
export type SoonDeletion = AssetDeletion | { status: 'waiting_for_store' };

/**
 * deleteAssetNow for a caller that must not wait on the store: a person's request, which
 * answers at once, and a job's end, which gives back credits and says how the job ended.
 * When the store fails, the request goes to the asset's retention workflow, whose deletion
 * retries until the store answers, and the asset stays `deleting`. Before, the request
 * failed and was forgotten: the file waited for its timer, days later.
 */
export async function deleteAssetSoon(
  deps: { orm: MikroORM; store: ObjectStore; temporal: { client: Client } },
  asset: RetainedAsset,
  request: { reason: DeletionReason; requestedBy?: string | null },
  tellRetention: RetentionTeller = (a, r) => requestRetentionDeletion(deps.temporal.client, a, r),
): Promise<SoonDeletion> {
  try {
    return await deleteAssetNow(deps, asset, request, tellRetention);
  } catch (err) {
    if (!(err instanceof ObjectNotDeleted)) throw err;
    await tellRetention(asset, {
      reason: request.reason,
      requestedBy: request.requestedBy ?? null,
    });
    return { status: 'waiting_for_store' };
  }
}

/**
 * An asset whose retention workflow Temporal did not answer while it did not: an upload's
 * start, or a person's deletion (which goes with the start, as a signal-with-start), for
 * the unstarted sweep. A later deletion replaces an earlier one (it carries the proof, if
 * there is one); an upload recorded again keeps the deletion it has.
 */
export async function recordUnstartedRetention(
  em: EntityManager,
  assetId: string,
  namespace: string,
  deletion: DeleteNowRequest | null = null,
): Promise<void> {
  await em.execute(
    `insert into unstarted_retentions (asset_id, namespace, failed_at, deletion) values (?, ?, now(), ?)
     on conflict (asset_id) do update
       set deletion = coalesce(excluded.deletion, unstarted_retentions.deletion)`,
    [assetId, namespace, deletion ? JSON.stringify(deletion) : null],
  );
}
