// The accounts' housekeeping, run by Temporal Schedules: session logs past their
// retention (R-SESSION-30D), and short-lived records whose use is over.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { SWEEP_BATCH_SIZE } from '../../domain/retention.ts';
import { DAY } from '../../domain/time.ts';
import { recordAudit } from '../../platform/audit.ts';
import { heartbeat } from '../heartbeat.ts';

export function createSessionSweepActivities(deps: { orm: MikroORM; config: Config }) {
  const { orm, config } = deps;

  return {
    /** Deletes session rows (IP, browser, times) last used longer ago than the policy allows. */
    async deleteOldSessionLogs(): Promise<{ deleted: number; cutoff: string }> {
      const em = orm.em.fork();
      const cutoff = new Date(Date.now() - config.durations.retentionMs('sessionLog'));
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

      const count = async (sql: string, params: unknown[]) =>
        (await em.execute<{ id: unknown }[]>(sql, params)).length;
      const aDayAgo = new Date(Date.now() - DAY);
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
  };
}
