// One workflow per personal-data breach (`incident-<id>`, S-BREACH). Two things run side
// by side from the moment legal staff record it: the affected people are found from the
// data and emailed in batches, each person once (stores/incident.ts); and the 72-hour
// deadline for the supervisory authority is watched: a durable timer to the deadline,
// ended by the legal team recording the notification (a signal). A missed deadline is
// recorded with its time. The incident closes when both are done. Every step writes
// itself, with its time, to the incident's row; the dashboard reads the row.
// Actions: about 6 plus one per batch of notices.
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/incident/index.ts';
import { INCIDENT_NOTICE_BATCH, type IncidentStatus } from '../domain/incident.ts';
import { MINUTE, SECOND } from '../domain/time.ts';

// ---------------------------------------------------------------- messages

export interface IncidentInput {
  incidentId: string;
  /** ISO time the authority must have been notified by (found + 72 hours). */
  deadlineAt: string;
}

/** The legal team notified the supervisory authority (recorded on the row by the API). */
export const authorityNotifiedSignal = defineSignal('authorityNotified');

export interface IncidentState {
  status: IncidentStatus;
  affected: number | null;
  sent: number;
  unconfirmed: number;
  authorityNotified: boolean;
  deadlineMissed: boolean;
}
export const incidentStateQuery = defineQuery<IncidentState>('incidentState');

// ---------------------------------------------------------------- activities

const steps = proxyActivities<IncidentActivities>({
  startToCloseTimeout: 10 * MINUTE,
  // A worker that dies mid-batch is noticed soon: the next attempt settles its last claim.
  heartbeatTimeout: 15 * SECOND,
  retry: { initialInterval: SECOND, backoffCoefficient: 2, maximumInterval: MINUTE },
});

// ---------------------------------------------------------------- the workflow

export async function incidentWorkflow(input: IncidentInput): Promise<IncidentState> {
  const state: IncidentState = {
    status: 'finding_affected',
    affected: null,
    sent: 0,
    unconfirmed: 0,
    authorityNotified: false,
    deadlineMissed: false,
  };
  setHandler(incidentStateQuery, () => state);
  setHandler(authorityNotifiedSignal, () => {
    state.authorityNotified = true;
  });

  const notices = async () => {
    state.affected = await steps.findAffectedPeople(input.incidentId);
    state.status = 'notifying';
    for (;;) {
      const batch = await steps.sendIncidentNotices({
        incidentId: input.incidentId,
        batchSize: INCIDENT_NOTICE_BATCH,
      });
      state.sent = batch.sent;
      state.unconfirmed = batch.unconfirmed;
      if (batch.remaining === 0) break;
    }
    state.status = 'notified';
  };
  const authority = async () => {
    const inTime = await condition(
      () => state.authorityNotified,
      Math.max(0, new Date(input.deadlineAt).getTime() - Date.now()),
    );
    if (inTime) return;
    state.deadlineMissed = true;
    await steps.recordDeadlineMissed(input.incidentId);
    await condition(() => state.authorityNotified);
  };
  await Promise.all([notices(), authority()]);
  await steps.closeIncident(input.incidentId);
  state.status = 'closed';
  return state;
}
