// Account deletion beyond the owner's own request (D-ERASE, R-PROOF, D-MINOR, S-RBAC):
// the deletion certificate, by the signed link emailed when it was done (the account it
// is about can no longer sign in) and for the legal team; and support's finding of an
// under-age account without parental consent: collection stops at once, every session
// ends, the parent is told, and a deletion verified by support deletes everything.
import type { EntityManager } from '@mikro-orm/postgresql';
import { accountDeletionWorkflowId, startAccountDeletion } from '../clients/account-deletion.ts';
import { verifiedSignalFor } from '../clients/rights-request.ts';
import { DeletionCertificate, RightsRequest, Session, User } from '../db/entities/index.ts';
import type {
  CertificateList,
  CertificateListQuery,
  CertificateSummary,
  CertificateView,
  MarkMinorBody,
  MinorMarked,
} from '../domain/contracts/account-deletion.ts';
import { AppError, conflict, notFound } from '../domain/errors.ts';
import { dueDate } from '../domain/rights-request-clock.ts';
import {
  OPEN_REQUEST_STATUSES,
  REQUEST_START_DEADLINE_MS,
  initialSteps,
  verifiedSteps,
} from '../domain/rights-request.ts';
import { recordAudit } from '../platform/audit.ts';
import { verifyLink } from '../platform/links.ts';
import { privacyEmails, sendLoggedMail } from '../stores/mail.ts';
import { mergeSteps } from '../stores/rights-request.ts';
import { newestPage } from '../stores/time-pages.ts';
import { recordUnstartedStart } from '../stores/unstarted.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { tell } from './signals.ts';
import { callOrRecord } from './unanswered.ts';

const certificateSummaryOf = (certificate: DeletionCertificate): CertificateSummary => ({
  id: certificate.id,
  requestId: certificate.requestId,
  subjectId: certificate.subjectId,
  origin: certificate.origin,
  issuedAt: certificate.issuedAt.toISOString(),
  certificateHash: certificate.certificateHash,
});

export const certificateViewOf = (certificate: DeletionCertificate): CertificateView => ({
  ...certificateSummaryOf(certificate),
  contents: certificate.contents,
});

/** The certificate by its emailed signed link (no session: the account is gone). */
export async function certificateByLink(
  deps: UseCaseDeps,
  requestId: string,
  token: string,
): Promise<CertificateView> {
  if (!verifyLink(deps.config.sessionSecret, 'certificate', requestId, token)) {
    throw new AppError(403, 'invalid_link', 'This link is invalid or has expired.');
  }
  const certificate = await deps.orm.em.fork().findOne(DeletionCertificate, { requestId });
  if (!certificate) {
    throw conflict('certificate_not_ready', 'The certificate is being prepared. Try again in a minute.');
  }
  return certificateViewOf(certificate);
}

export async function legalCertificate(deps: UseCaseDeps, requestId: string): Promise<CertificateView> {
  const certificate = await deps.orm.em.fork().findOne(DeletionCertificate, { requestId });
  if (!certificate) throw notFound('This request has no certificate (yet).');
  return certificateViewOf(certificate);
}

/** A page of certificates, newest issued first; the next starts at its `nextCursor`. */
export async function listCertificates(
  deps: UseCaseDeps,
  query: CertificateListQuery,
): Promise<CertificateList> {
  const em = deps.orm.em.fork();
  const { page, nextCursor } = await newestPage(em, DeletionCertificate, {}, query, 'issuedAt');
  return { certificates: page.map(certificateSummaryOf), nextCursor };
}

// ---------------------------------------------------------------- minors (D-MINOR)

interface Verified {
  verifiedAt: Date;
  dueAt: Date;
}

/**
 * The person's own open deletion becomes the minor's, verified by support; the workflow
 * is told when it was still waiting for the code. Null when there is none.
 */
async function takeOverOpenDeletion(
  deps: UseCaseDeps,
  em: EntityManager,
  staff: Actor,
  user: User,
  body: MarkMinorBody,
  verified: Verified,
): Promise<string | null> {
  const open = await em.findOne(RightsRequest, {
    user: user.id,
    type: 'deletion',
    status: { $in: [...OPEN_REQUEST_STATUSES] },
  });
  if (!open) return null;
  await em.nativeUpdate(
    RightsRequest,
    { id: open.id, status: { $in: ['awaiting_verification', 'verified', 'paused'] } },
    { origin: 'minor', details: { requestedBy: staff.id, reason: body.reason } },
  );
  const wasWaiting = await em.nativeUpdate(
    RightsRequest,
    { id: open.id, status: 'awaiting_verification' },
    {
      status: 'verified',
      ...verified,
      verificationCodeHash: null,
      steps: mergeSteps(verifiedSteps('deletion')),
    },
  );
  if (wasWaiting > 0 && open.workflowId) {
    await tell(deps, [
      verifiedSignalFor(open.workflowId, {
        verifiedAt: verified.verifiedAt.toISOString(),
        dueAt: verified.dueAt.toISOString(),
      }),
    ]);
  }
  return open.id;
}

/** A new deletion, verified by support from the start. */
async function startMinorDeletion(
  deps: UseCaseDeps,
  em: EntityManager,
  staff: Actor,
  user: User,
  body: MarkMinorBody,
  verified: Verified,
): Promise<string> {
  const now = verified.verifiedAt;
  const request = em.create(RightsRequest, {
    user: user.id,
    type: 'deletion',
    jurisdiction: 'other',
    status: 'verified',
    origin: 'minor',
    createdAt: now,
    ...verified,
    expiresAt: new Date(now.getTime() + deps.config.durations.unverifiedRequestMs),
    details: { requestedBy: staff.id, reason: body.reason },
    steps: initialSteps('deletion', true),
    counts: {},
    verificationAttempts: 0,
  });
  request.workflowId = accountDeletionWorkflowId(user.pseudonym);
  await em.flush();
  // The account is already stopped: while Temporal does not answer, the deletion is kept
  // for the unstarted sweep, which starts it and tells it the row's verification.
  await callOrRecord(deps, {
    deadlineMs: REQUEST_START_DEADLINE_MS,
    call: () =>
      startAccountDeletion(
        deps.temporal.client,
        {
          requestId: request.id,
          userId: user.id,
          type: 'deletion',
          origin: 'minor',
          expiresAt: request.expiresAt!.toISOString(),
          verified: { verifiedAt: verified.verifiedAt.toISOString(), dueAt: verified.dueAt.toISOString() },
        },
        user.pseudonym,
      ),
    record: (em, namespace) => recordUnstartedStart(em, 'rightsRequest', request.id, namespace),
    warning: {
      message: "minor's deletion kept, its workflow not started: the unstarted sweep starts it",
      context: { requestId: request.id },
    },
  });
  return request.id;
}

export async function markMinor(
  deps: UseCaseDeps,
  staff: Actor,
  userId: string,
  body: MarkMinorBody,
): Promise<MinorMarked> {
  const em = deps.orm.em.fork();
  const user = await em.findOne(User, { id: userId, status: { $ne: 'deleted' } });
  if (!user) throw notFound('No such account.');
  if (user.id === staff.id) throw conflict('own_account', 'Ask someone else to handle your own account.');
  const now = new Date();
  // Collection stops now: the access layer refuses a suspended account, sessions end.
  await em.nativeUpdate(
    User,
    { id: user.id },
    { status: 'suspended_minor', parentEmail: body.parentEmail ?? user.parentEmail ?? null, updatedAt: now },
  );
  await em.nativeUpdate(Session, { user: user.id, revokedAt: null }, { revokedAt: now });
  const verified = { verifiedAt: now, dueAt: dueDate('other', now) };
  const requestId =
    (await takeOverOpenDeletion(deps, em, staff, user, body, verified)) ??
    (await startMinorDeletion(deps, em, staff, user, body, verified));
  const parent = body.parentEmail ?? user.parentEmail ?? null;
  if (parent) {
    await sendLoggedMail(
      deps,
      em,
      {
        dedupeKey: `minor-stopped:${user.id}`,
        userId: user.id,
        template: 'minor_account_stopped',
        category: 'transactional',
      },
      privacyEmails.minorAccountStopped(parent),
    );
  }
  await recordAudit(em, {
    action: 'privacy.minor_suspended',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'privacy_request',
    targetId: requestId,
    subjectUserId: user.id,
    details: { requestId, parentNotified: Boolean(parent) },
  });
  return { status: 'suspended_minor', requestId, parentNotified: Boolean(parent) };
}
