// The storage sweeps, run by Temporal Schedules: session logs past their retention
// (R-SESSION-30D), objects in the bucket that no live asset row accounts for (deleted,
// with proof), and stored rows whose object is missing (marked and audited). Each
// heartbeats its position, so a retry resumes where the last attempt stopped.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { Asset } from '../../db/entities/index.ts';
import { retentionMs } from '../../domain/policy.ts';
import {
  ASSET_KEY_PREFIX,
  LIVE_ASSET_STATUSES,
  SWEEP_BATCH_SIZE,
  SWEEP_HEAD_CONCURRENCY,
  parseAssetObjectKey,
} from '../../domain/storage.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import { activeHoldIds } from './holds.ts';
import { deleteObjectVerified, headObject } from './objects.ts';
import { orphanDedupeKey, recordDeletion } from './proof.ts';

export interface SweepScope {
  /** Unique per sweep run (the workflow's run id): the proofs' idempotency key. */
  sweepId: string;
  /** Only keys under this prefix; must lie under `users/`. */
  prefix: string;
  /** Objects and rows younger than this are left alone (uploads in flight). */
  graceMs: number;
}

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

/** The activity's last heartbeat, when this is a retry; undefined outside an activity. */
function resumeFrom<T>(): T | undefined {
  try {
    return Context.current().info.heartbeatDetails as T | undefined;
  } catch {
    return undefined;
  }
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Called directly (tests, scripts): there is no activity to report to.
  }
}

function checkScope(scope: SweepScope): void {
  if (!scope.prefix.startsWith(ASSET_KEY_PREFIX)) {
    throw ApplicationFailure.nonRetryable(
      `sweep prefix must lie under ${ASSET_KEY_PREFIX}`,
      'InvalidSweepScope',
    );
  }
}

const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createSweepActivities(deps: { orm: MikroORM; store: ObjectStore; config: Config }) {
  const { orm, store, config } = deps;

  return {
    /** Deletes session rows (IP, browser, times) last used longer ago than the policy allows. */
    async deleteOldSessionLogs(): Promise<{ deleted: number; cutoff: string }> {
      const em = orm.em.fork();
      const cutoff = new Date(Date.now() - retentionMs('sessionLog', config.timeScale));
      let deleted = 0;
      for (;;) {
        const rows = await em.execute<{ id: string }[]>(
          `delete from sessions where id in
             (select id from sessions where last_seen_at < ? limit ?) returning id`,
          [cutoff, SWEEP_BATCH_SIZE],
        );
        deleted += rows.length;
        heartbeat({ deleted });
        if (rows.length < SWEEP_BATCH_SIZE) break;
      }
      if (deleted > 0) {
        await recordAudit(em, {
          action: 'sessions.logs_swept',
          actorRole: 'system',
          details: { deleted, cutoff: cutoff.toISOString(), policy: 'R-SESSION-30D' },
        });
      }
      return { deleted, cutoff: cutoff.toISOString() };
    },

    /**
     * Removes short-lived records whose use is over: expired price quotes, spent or
     * expired emailed tokens, finished rate-limit windows and old sign-in failure counts.
     * They hold no more than ids and hashes, but nothing is kept without a reason.
     */
    async deleteExpiredEphemera(): Promise<Record<string, number>> {
      const em = orm.em.fork();
      const day = 24 * 3600 * 1000;
      const count = async (sql: string, params: unknown[]) =>
        (await em.execute<{ id: unknown }[]>(sql, params)).length;
      const aDayAgo = new Date(Date.now() - day);
      return {
        priceQuotes: await count('delete from price_quotes where expires_at < ? returning id', [aDayAgo]),
        accountTokens: await count(
          'delete from account_tokens where (used_at is not null or expires_at < now()) and created_at < ? returning id',
          [aDayAgo],
        ),
        rateLimitBuckets: await count(
          'delete from rate_limit_buckets where reset_at < now() returning key as id',
          [],
        ),
        signInFailures: await count(
          'delete from sign_in_failures where last_failed_at < ? and (locked_until is null or locked_until < now()) returning email_hash as id',
          [aDayAgo],
        ),
      };
    },

    /**
     * Lists the bucket under the prefix and deletes every object older than the grace
     * period that no live asset row accounts for, each with a proof and an audit event.
     */
    async sweepOrphanObjects(scope: SweepScope): Promise<OrphanObjectsResult> {
      checkScope(scope);
      const em = orm.em.fork();
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
        const page = await store.client.send(
          new ListObjectsV2Command({
            Bucket: store.bucket,
            Prefix: scope.prefix,
            MaxKeys: SWEEP_BATCH_SIZE,
            ContinuationToken: token,
            StartAfter: token ? undefined : progress.afterKey || undefined,
          }),
        );
        const objects = (page.Contents ?? []).filter((o): o is typeof o & { Key: string } => !!o.Key);
        const live = new Set(
          objects.length === 0
            ? []
            : // A fresh entity manager per page: a large bucket must not fill one identity map.
              (
                await orm.em.fork().find(
                  Asset,
                  {
                    objectKey: { $in: objects.map((o) => o.Key) },
                    status: { $in: [...LIVE_ASSET_STATUSES] },
                  },
                  { fields: ['objectKey'] },
                )
              ).map((a) => a.objectKey),
        );
        for (const object of objects) {
          progress.scanned++;
          if (live.has(object.Key)) continue;
          if (!object.LastModified || object.LastModified.getTime() > cutoff) continue;
          const parsed = parseAssetObjectKey(object.Key);
          const ownerId = parsed?.userId ?? null;
          if (parsed && (await activeHoldIds(em, parsed.assetId, ownerId)).length > 0) {
            progress.orphansHeld++;
            continue;
          }
          const deletion = await deleteObjectVerified(store, object.Key);
          // Gone before we got to it (its retention deleted it after the listing): not an orphan.
          if (!deletion.before) continue;
          await recordDeletion(
            em,
            {
              dedupeKey: orphanDedupeKey(scope.sweepId, object.Key),
              assetId: parsed?.assetId ?? null,
              objectKey: object.Key,
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
              details: { sweepId: scope.sweepId },
            },
          );
          progress.orphansDeleted++;
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
    },

    /**
     * Checks that every stored asset older than the grace period still has its object;
     * one that does not is marked `missing` and audited for an operator to look into.
     * Temporary files are skipped: their rows exist before their bytes by design.
     */
    async findMissingObjects(scope: SweepScope): Promise<MissingObjectsResult> {
      checkScope(scope);
      const em = orm.em.fork();
      const cutoff = new Date(Date.now() - scope.graceMs);
      const progress = resumeFrom<MissingObjectsResult & { afterId: string }>() ?? {
        afterId: '00000000-0000-0000-0000-000000000000',
        checked: 0,
        missing: 0,
      };
      for (;;) {
        const rows = await em.execute<
          { id: string; object_key: string; user_id: string | null; kind: string }[]
        >(
          `select id, object_key, user_id, kind from assets
            where status = 'stored' and kind <> 'temp' and object_key like ? and stored_at < ? and id > ?
            order by id limit ?`,
          [likePrefix(scope.prefix), cutoff, progress.afterId, SWEEP_BATCH_SIZE],
        );
        let next = 0;
        const check = async () => {
          while (next < rows.length) {
            const row = rows[next++]!;
            if (await headObject(store, row.object_key)) continue;
            const marked = await orm.em
              .fork()
              .nativeUpdate(Asset, { id: row.id, status: 'stored' }, { status: 'missing' });
            if (marked === 0) continue; // deleted or changed meanwhile
            await recordAudit(orm.em.fork(), {
              action: 'storage.object_missing',
              actorRole: 'system',
              targetType: 'asset',
              targetId: row.id,
              subjectUserId: row.user_id,
              details: { sweepId: scope.sweepId, kind: row.kind },
            });
            progress.missing++;
          }
        };
        await Promise.all(Array.from({ length: Math.min(SWEEP_HEAD_CONCURRENCY, rows.length) }, check));
        progress.checked += rows.length;
        progress.afterId = rows.at(-1)?.id ?? progress.afterId;
        heartbeat(progress);
        if (rows.length < SWEEP_BATCH_SIZE) break;
      }
      return { checked: progress.checked, missing: progress.missing };
    },
  };
}
