// Activities of the incident workflow (S-BREACH): finding the affected people, sending
// their notices in batches (each person once: claimed, sent, confirmed one at a time,
// paced for the mail provider), the missed deadline and the close, each written with its
// time on the incident's row and audited.
import { setTimeout as sleep } from 'node:timers/promises';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config/index.ts';
import { Incident } from '../../db/entities/index.ts';
import { INCIDENT_NOTICE_INTERVAL_MS } from '../../domain/incident.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { Mailer } from '../../platform/mail.ts';
import {
  claimNextNotice,
  noticeCounts,
  recordAffectedPeople,
  sendClaimedNotice,
  settleInterruptedNotices,
} from '../../stores/incident.ts';

export interface IncidentDeps {
  orm: MikroORM;
  config: Config;
  mailer: Mailer;
}

async function loadIncident(orm: MikroORM, incidentId: string): Promise<Incident> {
  const incident = await orm.em.fork().findOne(Incident, { id: incidentId });
  if (!incident) throw ApplicationFailure.nonRetryable(`no incident ${incidentId}`, 'IncidentNotFound');
  return incident;
}

const step = (orm: MikroORM, incident: Incident, action: string, details: Record<string, unknown> = {}) =>
  recordAudit(orm.em.fork(), {
    action: `incident.${action}`,
    actorRole: 'system',
    targetType: 'incident',
    targetId: incident.id,
    details,
  });

export function createIncidentActivities(deps: IncidentDeps) {
  const { orm } = deps;
  return {
    /** Every person whose data of the incident's kinds existed in its window gets a pending notice. */
    async findAffectedPeople(incidentId: string): Promise<number> {
      const incident = await loadIncident(orm, incidentId);
      const count = await recordAffectedPeople(orm.em.fork(), incident);
      const found = await orm.em
        .fork()
        .nativeUpdate(
          Incident,
          { id: incidentId, affectedFoundAt: null },
          { affectedFoundAt: new Date(), affectedCount: count, status: 'notifying' },
        );
      if (found) await step(orm, incident, 'affected_found', { count, categories: incident.categories });
      return count;
    },

    /** One batch: each notice claimed, sent, confirmed in turn; what is left says whether to go on. */
    async sendIncidentNotices(input: { incidentId: string; batchSize: number }) {
      const incident = await loadIncident(orm, input.incidentId);
      const em = orm.em.fork();
      await settleInterruptedNotices(em, incident.id);
      await em.nativeUpdate(
        Incident,
        { id: incident.id, noticesStartedAt: null },
        { noticesStartedAt: new Date() },
      );
      for (let i = 0; i < input.batchSize; i++) {
        const notice = await claimNextNotice(em, incident.id);
        if (!notice) break;
        await sendClaimedNotice(deps, em, incident, notice);
        Context.current().heartbeat({ sentInBatch: i + 1 });
        await sleep(INCIDENT_NOTICE_INTERVAL_MS);
      }
      const counts = await noticeCounts(em, incident.id);
      await em.nativeUpdate(Incident, { id: incident.id }, { noticesSent: counts.sent });
      if (counts.pending === 0) {
        const done = await em.nativeUpdate(
          Incident,
          { id: incident.id, noticesCompletedAt: null },
          { noticesCompletedAt: new Date(), status: 'notified' },
        );
        if (done) await step(orm, incident, 'notices_sent', counts);
      }
      return { sent: counts.sent, unconfirmed: counts.unconfirmed, remaining: counts.pending };
    },

    async recordDeadlineMissed(incidentId: string): Promise<void> {
      const incident = await loadIncident(orm, incidentId);
      const missed = await orm.em
        .fork()
        .nativeUpdate(
          Incident,
          { id: incidentId, deadlineMissedAt: null, authorityNotifiedAt: null },
          { deadlineMissedAt: new Date() },
        );
      if (missed)
        await step(orm, incident, 'deadline_missed', { deadlineAt: incident.deadlineAt.toISOString() });
    },

    async closeIncident(incidentId: string): Promise<void> {
      const incident = await loadIncident(orm, incidentId);
      const closed = await orm.em
        .fork()
        .nativeUpdate(
          Incident,
          { id: incidentId, closedAt: null },
          { closedAt: new Date(), status: 'closed' },
        );
      if (closed) await step(orm, incident, 'closed');
    },
  };
}

export type IncidentActivities = ReturnType<typeof createIncidentActivities>;
