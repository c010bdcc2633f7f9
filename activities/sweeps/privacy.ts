// The privacy sweeps, run by Temporal Schedules: identifying analytics older than 12
// months become de-identified daily totals and are deleted (R-ANALYTICS-12M); email
// communications older than 2 years are deleted (R-SUPPORT-3Y): the email log, and the
// marketing campaigns admins sent, counted from when their last email went. Each batch is
// one transaction, so a retry repeats nothing: rows are counted into the totals and
// deleted together.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { PRIVACY_SWEEP_BATCH_SIZE } from '../../domain/sweeps.ts';
import { recordAudit } from '../../platform/audit.ts';
import { heartbeat } from '../heartbeat.ts';

/** What one run of the email sweep deleted: log rows, and campaigns with their text. */
export interface EmailSweep {
  deleted: number;
  campaigns: number;
  cutoff: string;
}

/** One batch of rows older than the cutoff, deleted by the statement given; how many went. */
async function deleteInBatches(orm: MikroORM, sql: string, cutoff: Date, progress: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = await orm.em.fork().execute<{ id: string }[]>(sql, [cutoff, PRIVACY_SWEEP_BATCH_SIZE]);
    deleted += rows.length;
    heartbeat({ [progress]: deleted });
    if (rows.length < PRIVACY_SWEEP_BATCH_SIZE) return deleted;
  }
}

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

    async deleteOldEmailLog(): Promise<EmailSweep> {
      const cutoff = new Date(Date.now() - config.durations.retentionMs('emailCommunication'));
      const deleted = await deleteInBatches(
        orm,
        `delete from email_log where id in (select id from email_log where sent_at < ? limit ?) returning id`,
        cutoff,
        'deleted',
      );
      // A campaign that never ended (its run failed) is counted from when it was sent.
      const campaigns = await deleteInBatches(
        orm,
        `delete from marketing_campaigns where id in (select id from marketing_campaigns
           where coalesce(finished_at, created_at) < ? limit ?) returning id`,
        cutoff,
        'campaigns',
      );
      if (deleted + campaigns > 0) {
        await recordAudit(orm.em.fork(), {
          action: 'email.log_swept',
          actorRole: 'system',
          details: { deleted, campaigns, cutoff: cutoff.toISOString(), policy: 'R-SUPPORT-3Y' },
        });
      }
      return { deleted, campaigns, cutoff: cutoff.toISOString() };
    },
  };
}
