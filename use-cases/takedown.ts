// Take-down requests from anyone (S-TAKEDOWN): filing one names content by a job id, a
// file id or a link, with a reason; the request is recorded, its workflow started (or,
// while Temporal does not answer, kept for the unstarted sweep), and a person of the
// legal team decides. The creator whose content was removed reads the
// notice and answers it here.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { takedownAnswerSignalFor, startTakedown } from '../clients/takedown.ts';
import { Asset, GenerationJob, TakedownRequest } from '../db/entities/index.ts';
import type {
  FileTakedownBody,
  TakedownAnswerBody,
  TakedownFiled,
  TakedownNotice,
} from '../domain/contracts/takedown.ts';
import { badRequest, conflict, notFound } from '../domain/errors.ts';
import { TAKEDOWN_START_DEADLINE_MS, parseContentLink } from '../domain/takedown.ts';
import { recordAudit } from '../platform/audit.ts';
import { recordUnstartedStart } from '../stores/unstarted.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { tell } from './signals.ts';
import { callOrRecord } from './unanswered.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

const notNamed = () =>
  badRequest(
    'We could not find that content. Paste a download link, a page link, or the id of a job or file.',
    [{ field: 'content', message: 'A link to the video or file, or its id.' }],
  );

/** The job or file the reporter named, and whose it is. */
async function resolveContent(em: EntityManager, named: string) {
  const link = UUID.test(named) ? null : parseContentLink(named);
  if (!UUID.test(named) && !link) throw notNamed();
  const id = (link?.id ?? named).toLowerCase();
  if (!link || link.type === 'job') {
    const job = await em.findOne(GenerationJob, { id }, { fields: ['id', 'user'] });
    if (job) return { type: 'job' as const, id: job.id, owner: job.user ?? null };
  }
  if (!link || link.type === 'asset') {
    const asset = await em.findOne(Asset, { id, kind: { $ne: 'temp' } }, { fields: ['id', 'user'] });
    if (asset) return { type: 'asset' as const, id: asset.id, owner: asset.user ?? null };
  }
  throw notNamed();
}

export async function fileTakedown(
  deps: UseCaseDeps,
  reporter: Actor | null,
  body: FileTakedownBody,
): Promise<TakedownFiled> {
  const em = deps.orm.em.fork();
  const target = await resolveContent(em, body.content);
  const id = randomUUID();
  await em.insert(TakedownRequest, {
    id,
    reason: body.reason,
    details: body.details,
    named: body.content,
    targetType: target.type,
    targetId: target.id,
    owner: target.owner,
    reporter: reporter?.id ?? null,
    reporterEmail: body.email ?? null,
    status: 'awaiting_decision',
    filedAt: new Date(),
    removed: [],
  });
  await recordAudit(em, {
    action: 'takedown.filed',
    actorId: reporter?.id ?? null,
    actorRole: reporter?.role ?? 'public',
    targetType: 'takedown',
    targetId: id,
    subjectUserId: target.owner,
    details: { reason: body.reason, targetType: target.type, targetId: target.id },
  });
  try {
    await callOrRecord(deps, {
      deadlineMs: TAKEDOWN_START_DEADLINE_MS,
      call: () =>
        startTakedown(deps.temporal.client, {
          takedownId: id,
          answerWindowMs: deps.config.durations.takedownAnswerMs,
        }),
      record: (em, namespace) => recordUnstartedStart(em, 'takedown', id, namespace),
      warning: {
        message: 'take-down kept, its workflow not started: the unstarted sweep starts it',
        context: { takedownId: id },
      },
    });
  } catch (err) {
    // Refused: no workflow, no request, as nothing would ever decide it.
    await deps.orm.em.fork().nativeDelete(TakedownRequest, { id });
    throw err;
  }
  return {
    id,
    status: 'awaiting_decision',
    message: 'Thank you. Our legal team will review your request and decide on it.',
  };
}

export function noticeOf(row: TakedownRequest): TakedownNotice {
  return {
    id: row.id,
    reason: row.reason,
    status: row.status,
    decision: row.decision ?? null,
    decisionReason: row.decisionReason ?? null,
    decidedAt: iso(row.decidedAt),
    removed: row.removed ?? [],
    removedAt: iso(row.removedAt),
    answer: row.answer ?? null,
    answeredAt: iso(row.answeredAt),
    answerDueAt: iso(row.answerDueAt),
    canAnswer: row.status === 'awaiting_answer' && !row.answeredAt,
  };
}

/** The creator's view of an upheld take-down of their content; anybody else's answers like an unknown one. */
async function ownTakedown(em: EntityManager, actor: Actor, id: string): Promise<TakedownRequest> {
  const row = await em.findOne(TakedownRequest, { id, owner: actor.id, decision: 'upheld' });
  if (!row) throw notFound('No such take-down.');
  return row;
}

export async function getTakedownNotice(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
): Promise<TakedownNotice> {
  return noticeOf(await ownTakedown(deps.orm.em.fork(), actor, id));
}

/** The creator's answer: recorded, shown to the legal team, and the request closes. */
export async function answerTakedown(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  body: TakedownAnswerBody,
): Promise<TakedownNotice> {
  const em = deps.orm.em.fork();
  const row = await ownTakedown(em, actor, id);
  const answered = await em.nativeUpdate(
    TakedownRequest,
    { id: row.id, status: 'awaiting_answer', answeredAt: null },
    { answer: body.answer, answeredAt: new Date() },
  );
  if (answered === 0) throw conflict('not_answerable', 'This take-down can no longer be answered.');
  await recordAudit(em, {
    action: 'takedown.answered',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'takedown',
    targetId: row.id,
    subjectUserId: actor.id,
  });
  await tell(deps, [takedownAnswerSignalFor(row.id)]);
  return noticeOf(await em.fork().findOneOrFail(TakedownRequest, { id: row.id }));
}
