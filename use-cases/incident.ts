// Breach incidents for the legal team (S-BREACH): recording one starts its workflow (the
// 72-hour clock for the supervisory authority, the affected people found and told), or,
// while Temporal does not answer, keeps it for the unstarted sweep; the list and one
// incident with every step's time, and the authority's notification.
import { randomUUID } from 'node:crypto';
import { authorityNotifiedSignalFor, startIncident } from '../clients/incident.ts';
import { Incident } from '../db/entities/index.ts';
import type {
  AuthorityNotifiedBody,
  IncidentList,
  IncidentListQuery,
  IncidentView,
  RecordIncidentBody,
} from '../domain/contracts/incident.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { INCIDENT_START_DEADLINE_MS, authorityDeadline, authorityStatus } from '../domain/incident.ts';
import { workflowIds } from '../domain/temporal.ts';
import { recordAudit } from '../platform/audit.ts';
import { noticeCountsByIncident } from '../stores/incident.ts';
import { newestPage } from '../stores/time-pages.ts';
import { recordUnstartedStart } from '../stores/unstarted.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { tell } from './signals.ts';
import { temporalUiLinks } from './diagnostic.ts';
import { callOrRecord } from './unanswered.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The incidents as the legal team sees them, their notices counted in one query. */
async function viewsOf(deps: UseCaseDeps, incidents: readonly Incident[]): Promise<IncidentView[]> {
  const notices = await noticeCountsByIncident(
    deps.orm.em.fork(),
    incidents.map((incident) => incident.id),
  );
  return incidents.map((incident) => viewOf(deps, incident, notices.get(incident.id)!));
}

async function viewOne(deps: UseCaseDeps, incident: Incident): Promise<IncidentView> {
  const [view] = await viewsOf(deps, [incident]);
  return view!;
}

function viewOf(deps: UseCaseDeps, incident: Incident, notices: IncidentView['notices']): IncidentView {
  const workflowId = workflowIds.incident(incident.id);
  return {
    id: incident.id,
    title: incident.title,
    description: incident.description,
    measures: incident.measures,
    categories: incident.categories,
    status: incident.status,
    discoveredAt: incident.discoveredAt.toISOString(),
    windowStart: incident.windowStart.toISOString(),
    windowEnd: incident.windowEnd.toISOString(),
    recordedAt: incident.recordedAt.toISOString(),
    recordedBy: incident.recordedBy,
    deadlineAt: incident.deadlineAt.toISOString(),
    authority: {
      status: authorityStatus(incident.deadlineAt, incident.authorityNotifiedAt ?? null),
      notifiedAt: iso(incident.authorityNotifiedAt),
      reference: incident.authorityReference ?? null,
      deadlineMissedAt: iso(incident.deadlineMissedAt),
    },
    affectedFoundAt: iso(incident.affectedFoundAt),
    affectedCount: incident.affectedCount ?? null,
    noticesStartedAt: iso(incident.noticesStartedAt),
    noticesCompletedAt: iso(incident.noticesCompletedAt),
    notices,
    closedAt: iso(incident.closedAt),
    workflowId,
    temporalUiUrl: temporalUiLinks(deps.config, workflowId).workflow,
  };
}

export async function recordIncident(
  deps: UseCaseDeps,
  staff: Actor,
  body: RecordIncidentBody,
): Promise<IncidentView> {
  const em = deps.orm.em.fork();
  const id = randomUUID();
  const deadlineAt = authorityDeadline(body.discoveredAt);
  await em.insert(Incident, {
    id,
    title: body.title,
    description: body.description,
    measures: body.measures,
    categories: [...new Set(body.categories)],
    discoveredAt: new Date(body.discoveredAt),
    windowStart: new Date(body.windowStart),
    windowEnd: new Date(body.windowEnd),
    recordedBy: staff.id,
    recordedAt: new Date(),
    deadlineAt,
    status: 'finding_affected',
    noticesSent: 0,
  });
  await recordAudit(em, {
    action: 'incident.recorded',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'incident',
    targetId: id,
    details: { categories: body.categories, deadlineAt: deadlineAt.toISOString() },
  });
  try {
    await callOrRecord(deps, {
      deadlineMs: INCIDENT_START_DEADLINE_MS,
      call: () =>
        startIncident(deps.temporal.client, { incidentId: id, deadlineAt: deadlineAt.toISOString() }),
      record: (em, namespace) => recordUnstartedStart(em, 'incident', id, namespace),
      warning: {
        message: 'incident kept, its workflow not started: the unstarted sweep starts it',
        context: { incidentId: id },
      },
    });
  } catch (err) {
    // Refused: nothing would watch its deadline or tell the people affected.
    await deps.orm.em.fork().nativeDelete(Incident, { id });
    throw err;
  }
  return viewOne(deps, await em.fork().findOneOrFail(Incident, { id }));
}

/** A page of incidents, newest recorded first; the next starts at its `nextCursor`. */
export async function listIncidents(
  deps: UseCaseDeps,
  _staff: Actor,
  query: IncidentListQuery,
): Promise<IncidentList> {
  const em = deps.orm.em.fork();
  const { page, nextCursor } = await newestPage(em, Incident, {}, query, 'recordedAt');
  return { incidents: await viewsOf(deps, page), nextCursor };
}

export async function getIncident(deps: UseCaseDeps, _staff: Actor, id: string): Promise<IncidentView> {
  const incident = await deps.orm.em.fork().findOne(Incident, { id });
  if (!incident) throw notFound('No such incident.');
  return viewOne(deps, incident);
}

/** The legal team notified the supervisory authority (GDPR art. 33): recorded once, with its reference. */
export async function recordAuthorityNotified(
  deps: UseCaseDeps,
  staff: Actor,
  id: string,
  body: AuthorityNotifiedBody,
): Promise<IncidentView> {
  const em = deps.orm.em.fork();
  const updated = await em.nativeUpdate(
    Incident,
    { id, authorityNotifiedAt: null },
    { authorityNotifiedAt: new Date(), authorityNotifiedBy: staff.id, authorityReference: body.reference },
  );
  const incident = await em.fork().findOne(Incident, { id });
  if (!incident) throw notFound('No such incident.');
  if (updated === 0) throw conflict('already_notified', 'The authority was already recorded as notified.');
  await recordAudit(em, {
    action: 'incident.authority_notified',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'incident',
    targetId: id,
    details: { reference: body.reference, late: incident.authorityNotifiedAt! > incident.deadlineAt },
  });
  await tell(deps, [authorityNotifiedSignalFor(id)]);
  return viewOne(deps, incident);
}
