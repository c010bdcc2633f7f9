// The life of a rights request as its workflows move it on (D-VERIFY, D-CLOCK, R-HOLD):
// expiry of an unverified request, the claim that starts processing (after which the
// owner can no longer cancel), pauses, rejection and completion. Each is idempotent by
// the request id: a status changes only from the statuses it may change from, and the
// same statement writes the request's steps, so its row never shows a status its steps
// contradict (an expired request's steps are all skipped at once).
import type { MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { RightsRequest } from '../../db/entities/index.ts';
import type { PauseReason, RequestStatus, RequestType } from '../../domain/rights-request.ts';
import { recordAudit, type AuditInput } from '../../platform/audit.ts';
import {
  auditOnce,
  mergeClaimedSteps,
  pauseSteps,
  resumeWaitingStep,
  resumedStatus,
  skipOpenSteps,
} from '../../stores/rights-request.ts';

/** What a workflow learns of its request's row. */
export interface RequestSnapshot {
  id: string;
  userId: string | null;
  type: RequestType;
  status: RequestStatus;
  verifiedAt: string | null;
  dueAt: string | null;
}

export const notFoundFailure = (requestId: string) =>
  ApplicationFailure.nonRetryable(`no rights request ${requestId}`, 'RequestNotFound');

export async function loadRequestRow(orm: MikroORM, requestId: string): Promise<RightsRequest> {
  const request = await orm.em.fork().findOne(RightsRequest, { id: requestId });
  if (!request) throw notFoundFailure(requestId);
  return request;
}

export const snapshotOf = (r: RightsRequest): RequestSnapshot => ({
  id: r.id,
  userId: r.user ?? null,
  type: r.type,
  status: r.status,
  verifiedAt: r.verifiedAt?.toISOString() ?? null,
  dueAt: (r.extendedDueAt ?? r.dueAt)?.toISOString() ?? null,
});

/**
 * An audit event about a rights request, by the system, with the details given as they
 * are: the pseudonym names the person once their account is gone.
 */
export const systemRequestAudit = (
  r: RightsRequest,
  action: string,
  details: Record<string, unknown>,
): AuditInput => ({
  action,
  actorRole: 'system',
  targetType: 'privacy_request',
  targetId: r.id,
  subjectUserId: r.user ?? null,
  subjectPseudonym: r.subjectPseudonym ?? null,
  details,
});

/** An audit event about the request, by the system (its workflow). */
export const requestAudit = (r: RightsRequest, action: string, details: Record<string, unknown> = {}) =>
  systemRequestAudit(r, action, { type: r.type, ...details });

export function createRequestRecordActivities(deps: { orm: MikroORM }) {
  const { orm } = deps;
  return {
    async loadRequest(requestId: string): Promise<RequestSnapshot> {
      return snapshotOf(await loadRequestRow(orm, requestId));
    },
    /**
     * The verification window ended: the request expires unless it was verified (or
     * cancelled) meanwhile, in which case the database's answer stands and is returned.
     */
    expireRequest: (requestId: string) =>
      end(orm, requestId, ['awaiting_verification'], 'expired', { verificationCodeHash: null }),
    /**
     * Starts processing: `verified` or `paused` becomes `in_progress`, after which the
     * owner can no longer cancel. Anything else (cancelled meanwhile) is returned as it is.
     */
    claimRequest: (requestId: string) => claim(orm, requestId),
    /** Shows the request as waiting, with its reason (a legal hold), once per pause. */
    pauseRequest: (input: { requestId: string; reason: PauseReason; holdIds: string[] }) => pause(orm, input),
    /**
     * Back to work after a pause: a request paused mid-way carries on (`in_progress`);
     * one paused before it started is `verified` again, for the claim that follows.
     */
    resumeRequest: (requestId: string) => resume(orm, requestId),
    /** Ends a request that cannot be answered any more (its account was deleted meanwhile). */
    rejectRequest: (input: { requestId: string; reason: string }) =>
      end(
        orm,
        input.requestId,
        ['verified', 'in_progress', 'paused'],
        'rejected',
        {},
        { reason: input.reason },
      ),
    completeRequest: (requestId: string) => end(orm, requestId, ['in_progress'], 'completed', {}),
  };
}

const ENDED_ACTIONS = {
  expired: ['expired', 'privacy.request_expired'],
  rejected: ['rejected', 'privacy.request_rejected'],
  completed: ['completed', 'privacy.request_completed'],
} as const;

/** A final status, once: the steps not done are skipped (a completed request has none left). */
async function end(
  orm: MikroORM,
  requestId: string,
  from: RequestStatus[],
  to: keyof typeof ENDED_ACTIONS,
  also: { verificationCodeHash?: null },
  details: Record<string, unknown> = {},
): Promise<RequestSnapshot> {
  const em = orm.em.fork();
  await em.nativeUpdate(
    RightsRequest,
    { id: requestId, status: { $in: from } },
    { ...also, status: to, completedAt: new Date(), steps: skipOpenSteps() },
  );
  const request = await loadRequestRow(orm, requestId);
  if (request.status === to) {
    const [key, action] = ENDED_ACTIONS[to];
    await auditOnce(em, `${key}:${requestId}`, requestAudit(request, action, details));
  }
  return snapshotOf(request);
}

async function claim(orm: MikroORM, requestId: string): Promise<RequestSnapshot> {
  const em = orm.em.fork();
  await em.nativeUpdate(
    RightsRequest,
    { id: requestId, status: { $in: ['verified', 'paused'] } },
    { status: 'in_progress', pausedReason: null, steps: mergeClaimedSteps() },
  );
  const request = await loadRequestRow(orm, requestId);
  if (request.status === 'in_progress') {
    await auditOnce(em, `started:${requestId}`, requestAudit(request, 'privacy.request_started'));
  }
  return snapshotOf(request);
}

async function pause(
  orm: MikroORM,
  input: { requestId: string; reason: PauseReason; holdIds: string[] },
): Promise<void> {
  const em = orm.em.fork();
  const changed = await em.nativeUpdate(
    RightsRequest,
    { id: input.requestId, status: { $in: ['verified', 'in_progress'] } },
    { status: 'paused', pausedReason: input.reason, steps: pauseSteps() },
  );
  if (changed > 0) {
    const request = await loadRequestRow(orm, input.requestId);
    await recordAudit(
      em,
      requestAudit(request, 'privacy.request_paused', { reason: input.reason, holdIds: input.holdIds }),
    );
  }
}

async function resume(orm: MikroORM, requestId: string): Promise<void> {
  const em = orm.em.fork();
  const changed = await em.nativeUpdate(
    RightsRequest,
    { id: requestId, status: 'paused', verifiedAt: { $ne: null } },
    { status: resumedStatus(), pausedReason: null, steps: resumeWaitingStep() },
  );
  if (changed > 0) {
    await recordAudit(em, requestAudit(await loadRequestRow(orm, requestId), 'privacy.request_resumed'));
  }
}
