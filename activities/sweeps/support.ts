// Support tickets' housekeeping (R-SUPPORT-3Y), run by a Temporal Schedule once a day: a
// ticket support answered and its creator left alone for 30 days is closed (so every
// ticket reaches the close its 3 years count from), and a ticket closed more than 3
// years ago (the policy table's `supportTicket`; tests shorten it through
// DURATION_OVERRIDES) is deleted with its messages. Tickets of a person under a legal hold
// are kept (R-HOLD). A sweep instead of a timer per ticket: a ticket has no other
// long-running process, reopening one would have to move its timer, and one daily run
// costs a few actions for all tickets where a timer each costs three or more per ticket
// and keeps a workflow open for years.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { SUPPORT_SWEEP_BATCH_SIZE, TICKET_IDLE_CLOSE_MS } from '../../domain/support.ts';
import { recordAudit } from '../../platform/audit.ts';
import { heartbeat } from '../heartbeat.ts';

export interface SupportTicketSweep {
  cutoff: string;
  closedIdle: number;
  deleted: number;
}

const NOT_HELD = `(user_id is null or user_id not in
  (select user_id from legal_holds where released_at is null and user_id is not null))`;

export function createSupportSweepActivities(deps: { orm: MikroORM; config: Config }) {
  const { orm, config } = deps;
  return {
    async sweepSupportTickets(): Promise<SupportTicketSweep> {
      const em = orm.em.fork();
      const cutoff = new Date(Date.now() - config.durations.retentionMs('supportTicket'));
      const idle = await em.execute<{ id: string }[]>(
        `update support_tickets set status = 'closed', closed_at = now()
          where status = 'answered' and last_message_at < ? returning id`,
        [new Date(Date.now() - TICKET_IDLE_CLOSE_MS)],
      );
      let deleted = 0;
      for (;;) {
        const rows = await em.execute<{ id: string }[]>(
          `delete from support_tickets where id in (select id from support_tickets
             where status = 'closed' and closed_at < ? and ${NOT_HELD} limit ?) returning id`,
          [cutoff, SUPPORT_SWEEP_BATCH_SIZE],
        );
        deleted += rows.length;
        heartbeat({ deleted });
        if (rows.length < SUPPORT_SWEEP_BATCH_SIZE) break;
      }
      if (deleted > 0 || idle.length > 0) {
        await recordAudit(em, {
          action: 'support.tickets_swept',
          actorRole: 'system',
          details: { deleted, closedIdle: idle.length, cutoff: cutoff.toISOString(), policy: 'R-SUPPORT-3Y' },
        });
      }
      return { cutoff: cutoff.toISOString(), closedIdle: idle.length, deleted };
    },
  };
}
