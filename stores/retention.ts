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
import { deleteObjectVerified } from '../platform/objects.ts';
import type { ObjectStore } from '../platform/s3.ts';
import { activeHoldIds } from './legal-hold.ts';
import { assetDedupeKey, recordDeletion } from './retention-proof.ts';

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

function deleted(proof: Pick<DeletionProof, 'id' | 'reason' | 'deletedAt' | 'objectExisted'>): AssetDeletion {
  return {
    status: 'deleted',
    proofId: proof.id,
    reason: proof.reason,
    deletedAt: proof.deletedAt.toISOString(),
    objectExisted: proof.objectExisted,
  };
}

/** What a deletion starts from, read in one round trip (lookUpDeletion). */
interface DeletionState {
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

/**
 * The proof, the asset row, the active holds and the owner's pseudonym together: a due
 * object's deletion reads them on every timer, and one query instead of four saves it
 * three database round trips (bench/retention.ts). The holds are those of the asset's
 * owner as the row names it, else as the request does.
 */
async function lookUpDeletion(em: EntityManager, input: AssetDeletionRequest): Promise<DeletionState> {
  const ownerHint = input.userId ?? parseAssetObjectKey(input.objectKey)?.userId ?? null;
  const [row] = await em.execute<
    {
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
    }[]
  >(
    `with asset as (select object_key, user_id, kind, status, sha256, size_bytes, delete_at from assets where id = ?),
          owner as (select coalesce((select user_id from asset), ?::uuid) as id)
     select (select jsonb_build_object('id', id, 'reason', reason, 'deleted_at', deleted_at, 'object_existed', object_existed)
               from deletion_proofs where dedupe_key = ?) as proof,
            (select to_jsonb(asset) from asset) as asset,
            array(select h.id from legal_holds h
                   where h.released_at is null and (h.asset_id = ? or h.user_id = (select id from owner))
                   order by h.placed_at, h.id)::text[] as hold_ids,
            (select id from owner) as holds_for,
            (select pseudonym from users where id = (select id from owner)) as owner_pseudonym`,
    [input.assetId, ownerHint, assetDedupeKey(input.assetId), input.assetId],
  );
  const { proof, asset } = row!;
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
    holdIds: row!.hold_ids,
    holdsFor: row!.holds_for,
    ownerPseudonym: row!.owner_pseudonym,
  };
}

/** Deletes the object with proof, or records that a legal hold defers it (R-HOLD). */
export async function deleteAsset(
  deps: { orm: MikroORM; store: ObjectStore },
  input: AssetDeletionRequest,
): Promise<AssetDeletion> {
  const em = deps.orm.em.fork();
  return deleteLookedUp(deps, em, input, await lookUpDeletion(em, input));
}

/**
 * A retention timer's deletion: as deleteAsset, unless the asset is an intermediate file
 * whose delete-at moved past the time the timer was set for (R-INTERMEDIATE), which is
 * then returned instead.
 */
export async function deleteDueAsset(
  deps: { orm: MikroORM; store: ObjectStore },
  input: AssetDeletionRequest & { dueAt: string },
): Promise<AssetDeletion | { status: 'postponed'; deleteAt: string }> {
  const em = deps.orm.em.fork();
  const found = await lookUpDeletion(em, input);
  const later = found.asset && movedFrom(found.asset, input.dueAt);
  if (later) return { status: 'postponed', deleteAt: later };
  return deleteLookedUp(deps, em, input, found);
}

async function deleteLookedUp(
  deps: { orm: MikroORM; store: ObjectStore },
  em: EntityManager,
  input: AssetDeletionRequest,
  { proof, asset, holdIds: found, holdsFor, ownerPseudonym }: DeletionState,
): Promise<AssetDeletion> {
  if (proof) return deleted(proof);
  const objectKey = asset?.objectKey ?? input.objectKey;
  const ownerId = asset?.user ?? input.userId ?? parseAssetObjectKey(objectKey)?.userId ?? null;
  // The owner differs from the one the lookup assumed only for a row without an owner
  // whose key names another: look again for that owner.
  const holdIds = ownerId === holdsFor ? found : await activeHoldIds(em, input.assetId, ownerId);
  if (holdIds.length > 0) {
    await recordDeferral(em, { ...input, userId: ownerId }, holdIds);
    return { status: 'deferred', holdIds };
  }
  if (asset && asset.status !== 'deleting') {
    await em.nativeUpdate(Asset, { id: input.assetId, status: { $ne: 'deleted' } }, { status: 'deleting' });
  }
  const deletion = await deleteObjectVerified(deps.store, objectKey);
  const requestedBy = input.requestedBy ?? null;
  const kind = asset?.kind ?? input.kind;
  const { proofId, created } = await recordDeletion(
    em,
    {
      dedupeKey: assetDedupeKey(input.assetId),
      assetId: input.assetId,
      objectKey,
      kind,
      ownerId,
      // Looked up with the holds, unless the owner turned out to be another.
      ...(ownerId === holdsFor ? { ownerPseudonym } : {}),
      reason: input.reason,
      requestedBy,
      requestedAt: new Date(input.requestedAt),
      deletedAt: deletion.deletedAt,
      objectExisted: deletion.before !== null,
      contentSha256: asset?.sha256 ?? null,
      sizeBytes: deletion.before?.sizeBytes ?? asset?.sizeBytes ?? null,
      verifiedAt: deletion.verifiedAt,
      verification: deletion.verification,
    },
    {
      action: 'asset.deleted',
      actorId: requestedBy,
      actorRole: requestedBy ? null : 'system',
      targetType: 'asset',
      targetId: input.assetId,
      subjectUserId: ownerId,
      details: { reason: input.reason, kind, ...(input.sweepId ? { sweepId: input.sweepId } : {}) },
    },
  );
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
function movedFrom(asset: Pick<Asset, 'kind' | 'status' | 'deleteAt'>, dueAt: string): string | null {
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

/** The assets a released hold was keeping from a deletion already asked for. */
export async function deferredAssetIds(
  em: EntityManager,
  hold: { userId?: string | null; assetId?: string | null },
): Promise<string[]> {
  const where = hold.assetId ? { id: hold.assetId } : { user: hold.userId! };
  const assets = await em.find(Asset, { ...where, status: 'deleting' }, { fields: ['id'] });
  return assets.map((a) => a.id);
}

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
  await requestRetentionDeletion(deps.temporal.client, asset, {
    reason: request.reason,
    requestedBy: request.requestedBy ?? null,
    proofId: outcome.status === 'deleted' ? outcome.proofId : null,
  });
  return outcome;
}
