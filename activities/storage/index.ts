// Storage activities: the retention workflow's hold look-up, deletion with proof and
// deferral record; temporary processing files for the generation workflow (R-TEMP);
// and the sweeps (session logs, orphaned and missing objects). Each is idempotent by
// the asset id (or sweep id) it takes.
import { ApplicationFailure } from '@temporalio/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { Asset, DeletionProof } from '../../db/entities/index.ts';
import {
  assetDeleteAt,
  assetObjectKey,
  parseAssetObjectKey,
  type AssetKind,
  type DeletionReason,
} from '../../domain/storage.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { activeHoldIds } from './holds.ts';
import { deleteObjectVerified } from './objects.ts';
import { assetDedupeKey, recordDeletion } from './proof.ts';
import { requestAssetDeletion, startAssetRetention } from './retention.ts';
import { createSweepActivities } from './sweeps.ts';

export interface StorageDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
}

export interface DeleteAssetInput {
  assetId: string;
  userId: string | null;
  kind: AssetKind;
  objectKey: string;
  reason: DeletionReason;
  requestedBy?: string | null;
  /** ISO time deletion was asked for (the timer's firing, or the request). */
  requestedAt: string;
}

export interface DeletionOutcome {
  assetId: string;
  proofId: string;
  reason: DeletionReason;
  deletedAt: string;
  objectExisted: boolean;
}

export interface TempAsset {
  assetId: string;
  objectKey: string;
  /** The backstop: when the retention workflow deletes it if nobody did before. */
  deleteAt: string;
}

export type DeleteAssetNowResult =
  { status: 'deleted'; proofId: string } | { status: 'deferred'; holdIds: string[] };

export function createStorageActivities(deps: StorageDeps) {
  const { orm, store, config, temporal } = deps;

  function outcomeOf(proof: DeletionProof): DeletionOutcome {
    return {
      assetId: proof.assetId!,
      proofId: proof.id,
      reason: proof.reason,
      deletedAt: proof.deletedAt.toISOString(),
      objectExisted: proof.objectExisted,
    };
  }

  /**
   * Deletes the object, verifies it is gone, marks the row deleted and records the proof
   * and an audit event. Idempotent by asset id: a repeat returns the first proof. Fails
   * non-retryably (`AssetOnHold`) while a legal hold covers the asset: the database is
   * checked here too, whatever the caller believes.
   */
  async function deleteAssetObject(input: DeleteAssetInput): Promise<DeletionOutcome> {
    const em = orm.em.fork();
    const done = await em.findOne(DeletionProof, { dedupeKey: assetDedupeKey(input.assetId) });
    if (done) {
      // The proof and the row are written together; nothing is left to do.
      return outcomeOf(done);
    }
    const asset = await em.findOne(Asset, { id: input.assetId });
    const objectKey = asset?.objectKey ?? input.objectKey;
    const ownerId = asset?.user ?? input.userId ?? parseAssetObjectKey(objectKey)?.userId ?? null;
    const holdIds = await activeHoldIds(em, input.assetId, ownerId);
    if (holdIds.length > 0) {
      throw ApplicationFailure.nonRetryable(
        `asset ${input.assetId} is under legal hold; deletion deferred`,
        'AssetOnHold',
        { holdIds },
      );
    }
    if (asset && asset.status !== 'deleting') {
      await em.nativeUpdate(Asset, { id: asset.id, status: { $ne: 'deleted' } }, { status: 'deleting' });
    }
    const deletion = await deleteObjectVerified(store, objectKey);
    const requestedBy = input.requestedBy ?? null;
    const reason = input.reason;
    const { proofId, created } = await recordDeletion(
      em,
      {
        dedupeKey: assetDedupeKey(input.assetId),
        assetId: input.assetId,
        objectKey,
        kind: asset?.kind ?? input.kind,
        ownerId,
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
        details: { reason: input.reason, kind: asset?.kind ?? input.kind },
      },
    );
    if (created) {
      return {
        assetId: input.assetId,
        proofId,
        reason,
        deletedAt: deletion.deletedAt.toISOString(),
        objectExisted: deletion.before !== null,
      };
    }
    // A concurrent deletion (delete-now racing the timer) recorded first: its proof stands.
    return outcomeOf(await em.fork().findOneOrFail(DeletionProof, { id: proofId }));
  }

  return {
    /** Ids of the active legal holds on the asset or its owner. */
    async loadAssetHolds(assetId: string, userId: string | null): Promise<string[]> {
      const em = orm.em.fork();
      const asset = await em.findOne(Asset, { id: assetId }, { fields: ['user'] });
      return activeHoldIds(em, assetId, asset?.user ?? userId);
    },

    deleteAssetObject,

    /** Audits that a due deletion waits for a hold's release; once per deferral id. */
    async recordDeletionDeferred(input: {
      deferralId: string;
      assetId: string;
      userId: string | null;
      reason: DeletionReason;
      holdIds: string[];
    }): Promise<void> {
      const em = orm.em.fork();
      await em.transactional(async (tx) => {
        // Serialise with a concurrent retry of the same deferral, then check for it.
        await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [input.deferralId]);
        const [seen] = await tx.execute<{ n: number }[]>(
          `select count(*)::int as n from audit_events
            where action = 'asset.deletion_deferred' and target_id = ? and details->>'deferralId' = ?`,
          [input.assetId, input.deferralId],
        );
        if ((seen?.n ?? 0) > 0) return;
        await tx.nativeUpdate(
          Asset,
          { id: input.assetId, status: { $in: ['stored', 'missing'] } },
          { status: 'deleting' },
        );
        await recordAudit(tx, {
          action: 'asset.deletion_deferred',
          actorRole: 'system',
          targetType: 'asset',
          targetId: input.assetId,
          subjectUserId: input.userId,
          details: { deferralId: input.deferralId, reason: input.reason, holdIds: input.holdIds },
        });
      });
    },

    /**
     * Registers a temporary processing file of a generation job (R-TEMP) before its bytes
     * are written, and starts its retention workflow as a backstop. Idempotent by the
     * asset id the caller chooses (a workflow's `uuid4()`).
     */
    async createTempAsset(input: { assetId: string; userId: string; jobId: string }): Promise<TempAsset> {
      const em = orm.em.fork();
      const storedAt = new Date();
      await em.upsert(
        Asset,
        {
          id: input.assetId,
          user: input.userId,
          kind: 'temp',
          status: 'stored',
          objectKey: assetObjectKey(input.userId, 'temp', input.assetId),
          jobId: input.jobId,
          createdAt: storedAt,
          storedAt,
          deleteAt: assetDeleteAt('temp', storedAt, config.timeScale),
        },
        { onConflictFields: ['id'], onConflictAction: 'ignore' },
      );
      const asset = await em.fork().findOneOrFail(Asset, { id: input.assetId });
      if (asset.kind !== 'temp' || asset.user !== input.userId) {
        throw ApplicationFailure.nonRetryable(
          `asset ${input.assetId} exists and is not this temp file`,
          'AssetIdTaken',
        );
      }
      await startAssetRetention(temporal.client, asset);
      return { assetId: asset.id, objectKey: asset.objectKey, deleteAt: asset.deleteAt!.toISOString() };
    },

    /**
     * Deletes an asset now, through the same deletion and proof as its timer, and lets
     * its retention workflow finish. Under a legal hold nothing is deleted: the request
     * goes to the retention workflow, which records the deferral and deletes on release.
     */
    async deleteAssetNow(input: {
      assetId: string;
      reason: DeletionReason;
      requestedBy?: string | null;
    }): Promise<DeleteAssetNowResult> {
      const em = orm.em.fork();
      const asset = await em.findOne(Asset, { id: input.assetId });
      if (!asset) throw ApplicationFailure.nonRetryable(`no asset ${input.assetId}`, 'AssetNotFound');
      const request = { reason: input.reason, requestedBy: input.requestedBy ?? null };
      const holdIds = await activeHoldIds(em, asset.id, asset.user ?? null);
      if (holdIds.length > 0) {
        await em.nativeUpdate(
          Asset,
          { id: asset.id, status: { $in: ['stored', 'missing'] } },
          { status: 'deleting' },
        );
        await requestAssetDeletion(temporal.client, asset, request);
        return { status: 'deferred', holdIds };
      }
      let outcome: DeletionOutcome;
      try {
        outcome = await deleteAssetObject({
          assetId: asset.id,
          userId: asset.user ?? null,
          kind: asset.kind,
          objectKey: asset.objectKey,
          reason: input.reason,
          requestedBy: request.requestedBy,
          requestedAt: new Date().toISOString(),
        });
      } catch (err) {
        if (!(err instanceof ApplicationFailure) || err.type !== 'AssetOnHold') throw err;
        await requestAssetDeletion(temporal.client, asset, request);
        return { status: 'deferred', holdIds: (err.details?.[0] as { holdIds: string[] }).holdIds };
      }
      // The retention workflow finds the proof and ends instead of waiting for its timer.
      await requestAssetDeletion(temporal.client, asset, request);
      return { status: 'deleted', proofId: outcome.proofId };
    },

    ...createSweepActivities(deps),
  };
}

export type StorageActivities = ReturnType<typeof createStorageActivities>;
