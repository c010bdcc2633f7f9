// The privacy sweeps, run by Temporal Schedules: identifying analytics older than 12
// months become de-identified daily totals and are deleted (R-ANALYTICS-12M); the email
// log older than 2 years is deleted (R-SUPPORT-3Y). Each batch is one transaction, so a
// retry repeats nothing: rows are counted into the totals and deleted together.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { PRIVACY_SWEEP_BATCH_SIZE } from '../../domain/sweeps.ts';
import { recordAudit } from '../../platform/audit.ts';
import { heartbeat } from '../heartbeat.ts';

export function createPrivacySweepActivities(deps: { orm: MikroORM; config: Config }) {
  const { orm, config } = deps;

  return {
    async aggregateOldAnalytics(): Promise<{ aggregated: number; cutoff: string }> {
      const cutoff = new Date(Date.now() - config.durations.retentionMs('analyticsPersonal'));
      let aggregated = 0;
      for (;;) {
        const n = await orm.em.fork().transactional(async (tx) => {
          // Locked and skipped by a concurrent run, so no row is counted twice.
          const rows = await tx.execute<{ id: string }[]>(
            `select id from analytics_events where created_at < ? order by id limit ? for update skip locked`,
            [cutoff, PRIVACY_SWEEP_BATCH_SIZE],
          );
          if (rows.length === 0) return 0;
          const ids = rows.map((r) => r.id);
          await tx.execute(
            `insert into analytics_daily_totals (day, type, name, events, value_ms_sum, value_count)
             select (created_at at time zone 'UTC')::date, type, name, count(*),
                    coalesce(sum(value_ms), 0), count(value_ms)
               from analytics_events where id in (?) group by 1, 2, 3
             on conflict (day, type, name) do update set
               events = analytics_daily_totals.events + excluded.events,
               value_ms_sum = analytics_daily_totals.value_ms_sum + excluded.value_ms_sum,
               value_count = analytics_daily_totals.value_count + excluded.value_count`,
            [ids],
          );
          await tx.execute('delete from analytics_events where id in (?)', [ids]);
          return rows.length;
        });
        aggregated += n;
        heartbeat({ aggregated });
        if (n < PRIVACY_SWEEP_BATCH_SIZE) break;
      }
      if (aggregated > 0) {
        await recordAudit(orm.em.fork(), {
          action: 'analytics.personal_swept',
          actorRole: 'system',
          details: { aggregated, cutoff: cutoff.toISOString(), policy: 'R-ANALYTICS-12M' },
        });
      }
      return { aggregated, cutoff: cutoff.toISOString() };
    },

    async deleteOldEmailLog(): Promise<{ deleted: number; cutoff: string }> {
      const cutoff = new Date(Date.now() - config.durations.retentionMs('emailCommunication'));
      let deleted = 0;
      for (;;) {
        const rows = await orm.em
          .fork()
          .execute<{ id: string }[]>(
            `delete from email_log where id in (select id from email_log where sent_at < ? limit ?) returning id`,
            [cutoff, PRIVACY_SWEEP_BATCH_SIZE],
          );
        deleted += rows.length;
        heartbeat({ deleted });
        if (rows.length < PRIVACY_SWEEP_BATCH_SIZE) break;
      }
      if (deleted > 0) {
        await recordAudit(orm.em.fork(), {
          action: 'email.log_swept',
          actorRole: 'system',
          details: { deleted, cutoff: cutoff.toISOString(), policy: 'R-SUPPORT-3Y' },
        });
      }
      return { deleted, cutoff: cutoff.toISOString() };
    },
  };
}
