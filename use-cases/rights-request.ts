// A person's rights requests (D-ACCESS, D-PORT, D-ERASE, D-RECTIFY, D-RESTRICT,
// D-OBJECT, D-CONSENT): making one (at most two California access requests in 12
// months, D-CCPA-2X; one account deletion at a time), confirming it with the emailed
// 6-digit code (D-VERIFY: counted tries, the statutory clock starts, D-CLOCK), a new
// code, and cancelling while nothing has started. A request whose workflow Temporal
// refused is removed again; one Temporal did not answer (an account deletion included)
// is kept for the unstarted sweep.
// Every change is audited and the row's status and steps change in one statement, before
// the workflow is told.
import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  rightsRequestWorkflowId,
  cancelledSignalFor,
  verifiedSignalFor,
  startRightsRequest,
} from '../clients/rights-request.ts';
import { accountDeletionWorkflowId, startAccountDeletion } from '../clients/account-deletion.ts';
import { RightsRequest, User } from '../db/entities/index.ts';
import type { CreateRequestBody, RequestView } from '../domain/contracts/rights-request.ts';
import { AppError, conflict } from '../domain/errors.ts';
import { canMakeCaliforniaAccessRequest, dueDate } from '../domain/rights-request-clock.ts';
import {
  CANCELLABLE_REQUEST_STATUSES,
  OPEN_REQUEST_STATUSES,
  REQUEST_START_DEADLINE_MS,
  VERIFICATION_CODE_DIGITS,
  VERIFICATION_CODE_TTL_MS,
  VERIFICATION_MAX_ATTEMPTS,
  initialSteps,
  isAccessRequest,
  verifiedSteps,
} from '../domain/rights-request.ts';
import { MINUTE } from '../domain/time.ts';
import { recordAudit } from '../platform/audit.ts';
import { keyedHash, safeEqual } from '../platform/crypto.ts';
import { privacyEmails, sendLoggedMail } from '../stores/mail.ts';
import { mergeSteps, notStartedCondition, skipOpenSteps } from '../stores/rights-request.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { recordUnstartedStart } from '../stores/unstarted.ts';
import { tell } from './signals.ts';
import { freshView, ownRequest, verificationMailKey } from './rights-request-view.ts';
import { callOrRecord } from './unanswered.ts';

const codeHash = (secret: string, requestId: string, code: string) =>
  keyedHash(secret, 'privacy-verification', `${requestId}:${code}`);

/** A fresh 6-digit code, and what is stored of it (a keyed hash bound to the request). */
export function newVerificationCode(secret: string, requestId: string): { code: string; hash: string } {
  const code = String(randomInt(0, 10 ** VERIFICATION_CODE_DIGITS)).padStart(VERIFICATION_CODE_DIGITS, '0');
  return { code, hash: codeHash(secret, requestId, code) };
}

/** Who acted on whose request, for the audit log. */
function audit(deps: UseCaseDeps, owner: Actor, action: string, requestId: string | null, details = {}) {
  return recordAudit(deps.orm.em.fork(), {
    action,
    actorId: owner.id,
    actorRole: owner.role,
    targetType: requestId ? 'privacy_request' : null,
    targetId: requestId,
    subjectUserId: owner.id,
    details,
  });
}

const notAwaiting = (request: RightsRequest) =>
  conflict('not_awaiting_verification', `This request is ${request.status.replace('_', ' ')}.`);

/**
 * A new code replaces the old one (and its tries) once it is emailed to the account's
 * address, or refused for good there (the request's page says so). A relay that does not
 * take it now throws, and the code before it still works.
 */
async function sendCode(deps: UseCaseDeps, em: EntityManager, owner: Actor, request: RightsRequest) {
  const { code, hash } = newVerificationCode(deps.config.sessionSecret, request.id);
  const sentAt = new Date();
  const user = await em.findOneOrFail(User, { id: owner.id }, { fields: ['email'] });
  await sendLoggedMail(
    deps,
    em,
    {
      dedupeKey: verificationMailKey(request.id, sentAt),
      userId: owner.id,
      template: 'request_verification_code',
      category: 'transactional',
    },
    privacyEmails.verificationCode(user.email, request.type, code, VERIFICATION_CODE_TTL_MS / MINUTE),
  );
  await em.nativeUpdate(
    RightsRequest,
    { id: request.id },
    {
      verificationCodeHash: hash,
      verificationSentAt: sentAt,
      verificationExpiresAt: new Date(sentAt.getTime() + VERIFICATION_CODE_TTL_MS),
      verificationAttempts: 0,
    },
  );
}

/** One account deletion at a time; D-CCPA-2X: two California access requests per 12 months. */
async function checkAllowed(em: EntityManager, owner: Actor, body: CreateRequestBody, now: Date) {
  if (body.type === 'deletion') {
    const open = await em.findOne(RightsRequest, {
      user: owner.id,
      type: 'deletion',
      status: { $in: [...OPEN_REQUEST_STATUSES] },
    });
    if (open) {
      throw conflict(
        'deletion_already_requested',
        'Your account deletion is already requested; see its page.',
      );
    }
  }
  if (!isAccessRequest(body.type) || body.jurisdiction !== 'CCPA') return;
  const previous = await em.find(
    RightsRequest,
    { user: owner.id, jurisdiction: 'CCPA', type: { $in: ['access', 'portability'] } },
    { fields: ['createdAt', 'status'] },
  );
  const decision = canMakeCaliforniaAccessRequest(
    previous.map((r) => ({ at: r.createdAt, status: r.status })),
    now,
  );
  if (decision.allowed) return;
  const next = decision.nextAllowedAt.toISOString().slice(0, 10);
  throw new AppError(
    429,
    'ccpa_limit_reached',
    `California law lets us answer two access requests in 12 months, and you made two. Your next request is possible from ${next}.`,
    { fields: [{ field: 'nextAllowedAt', message: decision.nextAllowedAt.toISOString() }] },
  );
}

/** The account's pseudonym, which its deletion's workflow id is made of. */
async function accountPseudonym(em: EntityManager, userId: string): Promise<string> {
  return (await em.findOneOrFail(User, { id: userId }, { fields: ['pseudonym'] })).pseudonym;
}

/**
 * Starts the request's workflow; false when the account's deletion already runs. While
 * Temporal does not answer, the request is kept for the unstarted sweep, an account
 * deletion included: the deletion's memo names its request, so the sweep tells its own
 * earlier start from another deletion of the account.
 */
async function startWorkflow(deps: UseCaseDeps, owner: Actor, request: RightsRequest): Promise<boolean> {
  const input = {
    requestId: request.id,
    userId: owner.id,
    type: request.type,
    expiresAt: request.expiresAt!.toISOString(),
  };
  const pseudonym = request.type === 'deletion' ? await accountPseudonym(deps.orm.em.fork(), owner.id) : null;
  let started = true;
  await callOrRecord(deps, {
    deadlineMs: REQUEST_START_DEADLINE_MS,
    call: async () => {
      if (pseudonym === null) await startRightsRequest(deps.temporal.client, input);
      else
        started = await startAccountDeletion(deps.temporal.client, { ...input, origin: 'user' }, pseudonym);
    },
    record: (em, namespace) => recordUnstartedStart(em, 'rightsRequest', request.id, namespace),
    warning: {
      message: 'rights request kept, its workflow not started: the unstarted sweep starts it',
      context: { requestId: request.id },
    },
  });
  return started;
}

export async function createRightsRequest(
  deps: UseCaseDeps,
  owner: Actor,
  body: CreateRequestBody,
): Promise<RequestView> {
  const em = deps.orm.em.fork();
  const now = new Date();
  await checkAllowed(em, owner, body, now);
  const details: Record<string, unknown> = {};
  if (body.corrections) details.corrections = body.corrections;
  if (body.purposes) details.purposes = [...new Set(body.purposes)];
  const request = em.create(RightsRequest, {
    user: owner.id,
    type: body.type,
    jurisdiction: body.jurisdiction,
    status: 'awaiting_verification',
    createdAt: now,
    expiresAt: new Date(now.getTime() + deps.config.durations.unverifiedRequestMs),
    origin: 'user',
    details,
    steps: initialSteps(body.type),
    counts: {},
    verificationAttempts: 0,
  });
  request.workflowId =
    body.type === 'deletion'
      ? accountDeletionWorkflowId(await accountPseudonym(em, owner.id))
      : rightsRequestWorkflowId(request.id);
  await em.flush();
  try {
    if (!(await startWorkflow(deps, owner, request)))
      throw conflict('deletion_already_requested', 'Your account deletion is already under way.');
  } catch (err) {
    // Nothing is kept of a request whose workflow's start was refused.
    await deps.orm.em.fork().nativeDelete(RightsRequest, { id: request.id });
    throw err;
  }
  await audit(deps, owner, 'privacy.request_created', request.id, {
    type: body.type,
    jurisdiction: body.jurisdiction,
  });
  await sendCode(deps, em, owner, request);
  return freshView(deps, request.id);
}

/** Every try is counted before the code is compared, atomically: no more than the allowed tries, ever. */
async function countTry(em: EntityManager, request: RightsRequest): Promise<{ hash: string; tries: number }> {
  const counted = await em.execute<{ verification_code_hash: string; verification_attempts: number }[]>(
    `update rights_requests set verification_attempts = verification_attempts + 1
      where id = ? and status = 'awaiting_verification' and verification_code_hash is not null
        and verification_attempts < ? and verification_expires_at > now()
      returning verification_code_hash, verification_attempts`,
    [request.id, VERIFICATION_MAX_ATTEMPTS],
  );
  const row = counted[0];
  if (row) return { hash: row.verification_code_hash, tries: row.verification_attempts };
  const expired = request.verificationExpiresAt && request.verificationExpiresAt.getTime() <= Date.now();
  throw new AppError(
    400,
    expired ? 'code_expired' : 'code_void',
    expired
      ? 'This code has expired. Ask for a new one.'
      : 'This code can no longer be used after too many wrong tries. Ask for a new one.',
  );
}

/** A wrong code: the tries left are told, and the code is void after the last. */
async function refuseCode(
  deps: UseCaseDeps,
  em: EntityManager,
  owner: Actor,
  request: RightsRequest,
  tries: number,
) {
  const left = VERIFICATION_MAX_ATTEMPTS - tries;
  if (left <= 0) await em.nativeUpdate(RightsRequest, { id: request.id }, { verificationCodeHash: null });
  await audit(deps, owner, 'privacy.verification_failed', request.id, { attemptsLeft: left });
  return new AppError(
    400,
    'invalid_code',
    left > 0
      ? `That code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.`
      : 'That code is not right, and it can no longer be used. Ask for a new one.',
  );
}

export async function verifyRightsRequest(
  deps: UseCaseDeps,
  owner: Actor,
  id: string,
  code: string,
): Promise<RequestView> {
  const em = deps.orm.em.fork();
  const request = await ownRequest(em, owner, id);
  if (request.status !== 'awaiting_verification') throw notAwaiting(request);
  const { hash: storedHash, tries } = await countTry(em, request);
  if (!safeEqual(codeHash(deps.config.sessionSecret, request.id, code), storedHash)) {
    throw await refuseCode(deps, em, owner, request, tries);
  }
  const verifiedAt = new Date();
  const due = dueDate(request.jurisdiction, verifiedAt);
  // The statutory clock and the steps move in one statement, the expiry's rival (D-VERIFY).
  const verified = await em.nativeUpdate(
    RightsRequest,
    { id: request.id, status: 'awaiting_verification', verificationCodeHash: storedHash },
    {
      status: 'verified',
      verifiedAt,
      dueAt: due,
      verificationCodeHash: null,
      steps: mergeSteps(verifiedSteps(request.type)),
    },
  );
  if (verified === 0) throw conflict('not_awaiting_verification', 'This request changed meanwhile.');
  await audit(deps, owner, 'privacy.request_verified', request.id, { dueAt: due.toISOString() });
  await tell(deps, [
    verifiedSignalFor(request.workflowId!, {
      verifiedAt: verifiedAt.toISOString(),
      dueAt: due.toISOString(),
    }),
  ]);
  return freshView(deps, request.id);
}

export async function resendVerificationCode(
  deps: UseCaseDeps,
  owner: Actor,
  id: string,
): Promise<RequestView> {
  const em = deps.orm.em.fork();
  const request = await ownRequest(em, owner, id);
  if (request.status !== 'awaiting_verification') throw notAwaiting(request);
  await sendCode(deps, em, owner, request);
  return freshView(deps, request.id);
}

export async function cancelRightsRequest(deps: UseCaseDeps, owner: Actor, id: string): Promise<RequestView> {
  const em = deps.orm.em.fork();
  const request = await ownRequest(em, owner, id);
  // The workflow's claim and this update race on the same row: exactly one wins.
  const cancelled = await em.nativeUpdate(
    RightsRequest,
    { id: request.id, status: { $in: [...CANCELLABLE_REQUEST_STATUSES] }, [notStartedCondition()]: [] },
    {
      status: 'cancelled',
      completedAt: new Date(),
      verificationCodeHash: null,
      pausedReason: null,
      steps: skipOpenSteps(),
    },
  );
  if (cancelled === 0) {
    throw conflict(
      'not_cancellable',
      request.type === 'deletion' && ['in_progress', 'paused'].includes(request.status)
        ? 'The deletion has started and can no longer be cancelled.'
        : `This request is ${request.status.replace('_', ' ')} and can no longer be cancelled.`,
    );
  }
  await audit(deps, owner, 'privacy.request_cancelled', request.id, { type: request.type });
  if (request.workflowId) await tell(deps, [cancelledSignalFor(request.workflowId)]);
  return freshView(deps, request.id);
}
