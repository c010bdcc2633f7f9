// The bucket's reconciliation with the asset rows, run by a Temporal Schedule: objects
// that no live asset row accounts for are deleted with proof, and stored rows whose
// object is missing are marked and audited. Each heartbeats its position, so a retry
// resumes where the last attempt stopped.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Asset } from '../../db/entities/index.ts';
import {
  LIVE_ASSET_STATUSES,
  SWEEP_BATCH_SIZE,
  SWEEP_HEAD_CONCURRENCY,
  parseAssetObjectKey,
} from '../../domain/retention.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import { activeHoldIds } from '../../stores/legal-hold.ts';
import { deleteObjectVerified, headObject } from '../../platform/objects.ts';
import { orphanDedupeKey, recordDeletion } from '../../stores/retention-proof.ts';
import { heartbeat, resumeFrom } from '../heartbeat.ts';
import { checkScope, likePrefix, type SweepScope } from './scope.ts';

export type { SweepScope } from './scope.ts';

export interface OrphanObjectsResult {
  scanned: number;
  orphansDeleted: number;
  /** Orphans left in place because a legal hold covers their owner or asset. */
  orphansHeld: number;
}

export interface MissingObjectsResult {
  checked: number;
  missing: number;
}

/**
 * Deletes one object that no live asset row accounts for, with a proof and an audit
 * event; leaves it where a legal hold covers its owner or asset. Idempotent by sweep.
 */
async function deleteOrphan(
  deps: { orm: MikroORM; store: ObjectStore },
  objectKey: string,
  sweepId: string,
  requestedAt: Date,
): Promise<'deleted' | 'held' | 'gone'> {
  const em = deps.orm.em.fork();
  const parsed = parseAssetObjectKey(objectKey);
  const ownerId = parsed?.userId ?? null;
  if (parsed && (await activeHoldIds(em, parsed.assetId, ownerId)).length > 0) return 'held';
  const deletion = await deleteObjectVerified(deps.store, objectKey);
  // Gone before we got to it (its retention deleted it after the listing): not an orphan.
  if (!deletion.before) return 'gone';
  await recordDeletion(
    em,
    {
      dedupeKey: orphanDedupeKey(sweepId, objectKey),
      assetId: parsed?.assetId ?? null,
      objectKey,
      kind: parsed?.kind ?? null,
      ownerId,
      reason: 'orphan',
      requestedBy: null,
      requestedAt,
      deletedAt: deletion.deletedAt,
      objectExisted: true,
      contentSha256: null,
      sizeBytes: deletion.before.sizeBytes,
      verifiedAt: deletion.verifiedAt,
      verification: deletion.verification,
    },
    {
      action: 'storage.orphan_deleted',
      actorRole: 'system',
      targetType: 'object',
      targetId: parsed?.assetId ?? null,
      subjectUserId: ownerId,
      details: { sweepId },
    },
  );
  return 'deleted';
}

type SweepDeps = { orm: MikroORM; store: ObjectStore };

export function createObjectSweepActivities(deps: SweepDeps) {
  return {
    sweepOrphanObjects: (scope: SweepScope) => sweepOrphanObjects(deps, scope),
    findMissingObjects: (scope: SweepScope) => findMissingObjects(deps, scope),
  };
}

/** The keys of a page of objects that a live asset row accounts for. */
async function liveKeys(orm: MikroORM, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  // A fresh entity manager per page: a large bucket must not fill one identity map.
  const rows = await orm.em
    .fork()
    .find(
      Asset,
      { objectKey: { $in: keys }, status: { $in: [...LIVE_ASSET_STATUSES] } },
      { fields: ['objectKey'] },
    );
  return new Set(rows.map((a) => a.objectKey));
}

/**
 * Lists the bucket under the prefix and deletes every object older than the grace period
 * that no live asset row accounts for, each with a proof and an audit event.
 */
async function sweepOrphanObjects(deps: SweepDeps, scope: SweepScope): Promise<OrphanObjectsResult> {
  checkScope(scope);
  const cutoff = Date.now() - scope.graceMs;
  const requestedAt = new Date();
  const progress = resumeFrom<OrphanObjectsResult & { afterKey: string }>() ?? {
    afterKey: '',
    scanned: 0,
    orphansDeleted: 0,
    orphansHeld: 0,
  };
  let token: string | undefined;
  do {
    const page = await deps.store.client.send(
      new ListObjectsV2Command({
        Bucket: deps.store.bucket,
        Prefix: scope.prefix,
        MaxKeys: SWEEP_BATCH_SIZE,
        ContinuationToken: token,
        StartAfter: token ? undefined : progress.afterKey || undefined,
      }),
    );
    const objects = (page.Contents ?? []).filter((o): o is typeof o & { Key: string } => !!o.Key);
    const live = await liveKeys(
      deps.orm,
      objects.map((o) => o.Key),
    );
    for (const object of objects) {
      progress.scanned++;
      if (live.has(object.Key)) continue;
      if (!object.LastModified || object.LastModified.getTime() > cutoff) continue;
      const outcome = await deleteOrphan(deps, object.Key, scope.sweepId, requestedAt);
      if (outcome === 'held') progress.orphansHeld++;
      if (outcome === 'deleted') progress.orphansDeleted++;
    }
    progress.afterKey = objects.at(-1)?.Key ?? progress.afterKey;
    heartbeat(progress);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return {
    scanned: progress.scanned,
    orphansDeleted: progress.orphansDeleted,
    orphansHeld: progress.orphansHeld,
  };
}

/** Marks a stored row whose object is gone as `missing`, and audits it for an operator. */
async function reportMissing(
  orm: MikroORM,
  row: { id: string; user_id: string | null; kind: string },
  sweepId: string,
): Promise<boolean> {
  const marked = await orm.em
    .fork()
    .nativeUpdate(Asset, { id: row.id, status: 'stored' }, { status: 'missing' });
  if (marked === 0) return false; // deleted or changed meanwhile
  await recordAudit(orm.em.fork(), {
    action: 'storage.object_missing',
    actorRole: 'system',
    targetType: 'asset',
    targetId: row.id,
    subjectUserId: row.user_id,
    details: { sweepId, kind: row.kind },
  });
  return true;
}

/**
 * Checks that every stored asset older than the grace period still has its object; one
 * that does not is marked `missing` and audited. Temporary files are skipped: their rows
 * exist before their bytes by design.
 */
async function findMissingObjects(deps: SweepDeps, scope: SweepScope): Promise<MissingObjectsResult> {
  checkScope(scope);
  const cutoff = new Date(Date.now() - scope.graceMs);
  const progress = resumeFrom<MissingObjectsResult & { afterId: string }>() ?? {
    afterId: '00000000-0000-0000-0000-000000000000',
    checked: 0,
    missing: 0,
  };
  for (;;) {
    const rows = await deps.orm.em
      .fork()
      .execute<{ id: string; object_key: string; user_id: string | null; kind: string }[]>(
        `select id, object_key, user_id, kind from assets
        where status = 'stored' and kind <> 'temp' and object_key like ? and stored_at < ? and id > ?
        order by id limit ?`,
        [likePrefix(scope.prefix), cutoff, progress.afterId, SWEEP_BATCH_SIZE],
      );
    let next = 0;
    const check = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        if (await headObject(deps.store, row.object_key)) continue;
        if (await reportMissing(deps.orm, row, scope.sweepId)) progress.missing++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_HEAD_CONCURRENCY, rows.length) }, check));
    progress.checked += rows.length;
    progress.afterId = rows.at(-1)?.id ?? progress.afterId;
    heartbeat(progress);
    if (rows.length < SWEEP_BATCH_SIZE) break;
  }
  return { checked: progress.checked, missing: progress.missing };
}
