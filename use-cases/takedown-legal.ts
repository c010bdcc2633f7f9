// The legal team's side of take-downs (S-TAKEDOWN): the list with each request's steps and
// times, one request's record, and the decision a person makes (written on the row, then
// handed to the request's workflow). Reading a request is an access to the content
// owner's data and is audited.
import { takedownDecisionSignalFor } from '../clients/takedown.ts';
import { TakedownRequest } from '../db/entities/index.ts';
import type {
  TakedownDecisionBody,
  TakedownList,
  TakedownListQuery,
  TakedownRecord,
} from '../domain/contracts/takedown.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { TAKEDOWN_DECISION_DUE_MS } from '../domain/takedown.ts';
import { workflowIds } from '../domain/temporal.ts';
import { recordAudit } from '../platform/audit.ts';
import { newestPage } from '../stores/time-pages.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { tell } from './signals.ts';
import { temporalUiLinks } from './diagnostic.ts';
import { noticeOf } from './takedown.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function recordOf(deps: UseCaseDeps, row: TakedownRequest): TakedownRecord {
  const workflowId = workflowIds.takedown(row.id);
  return {
    ...noticeOf(row),
    details: row.details,
    named: row.named,
    targetType: row.targetType,
    targetId: row.targetId,
    ownerId: row.owner ?? null,
    reporter: row.reporter ? 'signed_in' : 'anonymous',
    reporterWantsOutcome: Boolean(row.reporterEmail),
    filedAt: row.filedAt.toISOString(),
    decisionDueAt: new Date(row.filedAt.getTime() + TAKEDOWN_DECISION_DUE_MS).toISOString(),
    decidedBy: row.decidedBy ?? null,
    creatorNotifiedAt: iso(row.creatorNotifiedAt),
    reporterNotifiedAt: iso(row.reporterNotifiedAt),
    closedAt: iso(row.closedAt),
    workflowId,
    temporalUiUrl: temporalUiLinks(deps.config, workflowId).workflow,
  };
}

/** A page of requests, newest filed first; `open`: those not closed yet, however old. */
export async function listTakedowns(
  deps: UseCaseDeps,
  _staff: Actor,
  query: TakedownListQuery,
): Promise<TakedownList> {
  const { status } = query;
  const where = status === 'open' ? { status: { $ne: 'closed' as const } } : status ? { status } : {};
  const em = deps.orm.em.fork();
  const { page, nextCursor } = await newestPage(em, TakedownRequest, where, query, 'filedAt');
  return { takedowns: page.map((row) => recordOf(deps, row)), nextCursor };
}

export async function getTakedown(deps: UseCaseDeps, staff: Actor, id: string): Promise<TakedownRecord> {
  const em = deps.orm.em.fork();
  const row = await em.findOne(TakedownRequest, { id });
  if (!row) throw notFound('No such take-down.');
  await recordAudit(em, {
    action: 'staff.viewed_takedown',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'takedown',
    targetId: row.id,
    subjectUserId: row.owner ?? null,
  });
  return recordOf(deps, row);
}

/** A person decides (S-TAKEDOWN): once; the workflow removes and notifies, or closes. */
export async function decideTakedown(
  deps: UseCaseDeps,
  staff: Actor,
  id: string,
  body: TakedownDecisionBody,
): Promise<TakedownRecord> {
  const em = deps.orm.em.fork();
  const decided = await em.nativeUpdate(
    TakedownRequest,
    { id, decidedAt: null },
    {
      decision: body.uphold ? 'upheld' : 'rejected',
      decisionReason: body.reason,
      decidedBy: staff.id,
      decidedAt: new Date(),
      ...(body.uphold ? { status: 'removing' as const } : {}),
    },
  );
  const row = await em.fork().findOne(TakedownRequest, { id });
  if (!row) throw notFound('No such take-down.');
  if (decided === 0) throw conflict('already_decided', 'This take-down request was already decided.');
  await recordAudit(em, {
    action: body.uphold ? 'takedown.upheld' : 'takedown.rejected',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'takedown',
    targetId: id,
    subjectUserId: row.owner ?? null,
    details: { reason: body.reason },
  });
  await tell(deps, [takedownDecisionSignalFor(id, { upheld: body.uphold, decidedBy: staff.id })]);
  return recordOf(deps, row);
}
