// The legal team's actions on a rights request (D-CLOCK, S-RBAC, S-AUDIT): a deadline
// extended once, within the first period, with a reason emailed to the person; and the
// request's audit events exported as JSON (with the file deletions of an account
// deletion). Both are audited.
import { deadlineChangedSignalFor } from '../clients/rights-request.ts';
import { RightsRequest, User } from '../db/entities/index.ts';
import type {
  ExtendDeadlineBody,
  LegalRequestView,
  RequestAudit,
} from '../domain/contracts/rights-request.ts';
import { AppError, conflict } from '../domain/errors.ts';
import { extendDeadline } from '../domain/rights-request-clock.ts';
import { OPEN_REQUEST_STATUSES } from '../domain/rights-request.ts';
import { recordAudit } from '../platform/audit.ts';
import { privacyEmails, sendLoggedMail, wasDelivered } from '../stores/mail.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { tell } from './signals.ts';
import { findRequest, freshView, legalViewOf } from './rights-request-view.ts';

/** The extension the law allows now, or the reason it does not. */
function extension(request: RightsRequest, body: ExtendDeadlineBody): Date {
  if (!request.dueAt || !(OPEN_REQUEST_STATUSES as readonly string[]).includes(request.status)) {
    throw conflict('not_extendable', 'Only an open, verified request has a deadline to extend.');
  }
  const result = extendDeadline({
    jurisdiction: request.jurisdiction,
    dueAt: request.dueAt,
    extendedDueAt: request.extendedDueAt,
    now: new Date(),
    months: body.months,
    reason: body.reason,
  });
  if (!result.ok) {
    const status = result.code === 'already_extended' || result.code === 'too_late' ? 409 : 400;
    throw new AppError(status, result.code, result.message);
  }
  return result.extendedDueAt;
}

export async function extendRequestDeadline(
  deps: UseCaseDeps,
  staff: Actor,
  id: string,
  body: ExtendDeadlineBody,
): Promise<LegalRequestView> {
  const em = deps.orm.em.fork();
  const request = await findRequest(em, id);
  const extendedDueAt = extension(request, body);
  // Once: the row's own condition refuses a concurrent second extension.
  const updated = await em.nativeUpdate(
    RightsRequest,
    { id: request.id, extendedDueAt: null },
    { extendedDueAt, extensionReason: body.reason },
  );
  if (updated === 0) throw conflict('already_extended', 'The deadline can be extended only once.');
  const user = request.user ? await em.findOne(User, { id: request.user }) : null;
  if (user && user.status !== 'deleted') {
    // D-CLOCK: the notice with its reason goes out now, within the first period.
    const result = await sendLoggedMail(
      deps,
      em,
      {
        dedupeKey: `extension:${request.id}`,
        userId: user.id,
        template: 'deadline_extended',
        category: 'transactional',
      },
      privacyEmails.deadlineExtended(user.email, request.type, extendedDueAt, body.reason),
    );
    // A refusal for good is in the email log; the notice was not sent.
    if (wasDelivered(result)) {
      await em.nativeUpdate(RightsRequest, { id: request.id }, { extensionNoticeSentAt: new Date() });
    }
  }
  await recordAudit(em, {
    action: 'privacy.deadline_extended',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'privacy_request',
    targetId: request.id,
    subjectUserId: request.user ?? null,
    details: {
      requestId: request.id,
      from: request.dueAt!.toISOString(),
      to: extendedDueAt.toISOString(),
      noticeSent: Boolean(user),
    },
  });
  if (request.workflowId) await tell(deps, [deadlineChangedSignalFor(request.workflowId, extendedDueAt)]);
  return legalViewOf(await freshView(deps, request.id), request);
}

const NO_USER = '00000000-0000-0000-0000-000000000000';

/** The request's audit events, with an account deletion's file deletions made while it ran. */
export async function exportRequestAudit(deps: UseCaseDeps, staff: Actor, id: string): Promise<RequestAudit> {
  const em = deps.orm.em.fork();
  const request = await findRequest(em, id);
  const deletion = request.type === 'deletion' && Boolean(request.user);
  const events = await em.execute<Record<string, unknown>[]>(
    `select id::text as id, occurred_at as "occurredAt", actor_id as "actorId", actor_role as "actorRole",
            action, target_type as "targetType", target_id as "targetId",
            subject_user_id as "subjectUserId", details, prev_hash as "prevHash", hash
       from audit_events
      where (target_type = 'privacy_request' and target_id = ?)
         or details->>'requestId' = ?
         or (?::boolean and subject_user_id = ?::uuid
             and action in ('asset.deleted', 'asset.deletion_deferred')
             and occurred_at between ? and ?)
      order by audit_events.id`,
    [
      request.id,
      request.id,
      deletion,
      request.user ?? NO_USER,
      request.createdAt,
      request.completedAt ?? new Date(),
    ],
  );
  await recordAudit(em, {
    action: 'legal.request_audit_exported',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'privacy_request',
    targetId: request.id,
    subjectUserId: request.user ?? null,
    details: { events: events.length },
  });
  return { requestId: request.id, exportedAt: new Date().toISOString(), events };
}
