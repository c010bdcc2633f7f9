// The legal team's view of rights requests (legal role, MFA): every request sorted by
// days left with its status and each step of its workflow; a deadline extended once,
// with a reason that is emailed to the person (D-CLOCK); the audit events of a request
// as JSON; deletion certificates; policy versions (D-POLICY). Support marks an account
// as under age without parental consent (D-MINOR), and admins send marketing (D-UNSUB).
// Every staff access to a person's request is audited (S-RBAC).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { privacyEmails, sendLoggedMail } from '../../stores/mail.ts';
import {
  requestWorkflowId,
  signalRequestWorkflow,
  startAnnouncement,
  startRequestWorkflow,
} from '../../activities/privacy/start.ts';
import { DeletionCertificate, PolicyVersion, PrivacyRequest, User } from '../../db/entities/index.ts';
import { OPEN_REQUEST_STATUSES, REQUEST_STATUSES, REQUEST_TYPES } from '../../domain/privacy.ts';
import { dueDate, extendDeadline } from '../../domain/statutoryClock.ts';
import { recordAudit } from '../../platform/audit.ts';
import { deadlineChangedSignal, verifiedSignal } from '../../workflows/privacyRequest.ts';
import { caller } from '../auth/access.ts';
import { suspendMinor } from '../../use-cases/accounts-settings.ts';
import { clearPolicyCache } from '../auth/policyGate.ts';
import { email as emailSchema } from '../../domain/contracts/accounts.ts';
import type { ApiDeps } from '../deps.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { certificateView, requestView, requestViewSchema } from './privacy.ts';

const LEGAL_ROLES = ['legal', 'admin'] as const;
const idParams = z.object({ id: z.uuid() });
const reasonSchema = z.string().trim().min(3).max(2000);
/** Progress queries in flight at once while the legal list is built. */
const LIST_QUERY_CONCURRENCY = 8;

const legalRequestView = requestViewSchema.extend({ userId: z.uuid().nullable() });

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export function legalRequestRoutes(deps: ApiDeps) {
  const mail = { mailer: deps.mailer, config: deps.config };

  async function findRequest(id: string): Promise<PrivacyRequest> {
    const request = await deps.orm.em.fork().findOne(PrivacyRequest, { id });
    if (!request) throw notFound('No such request.');
    return request;
  }

  return [
    defineRoute({
      method: 'get',
      path: '/api/legal/requests',
      summary: 'Rights requests, fewest days left first, with status and each step of their workflows',
      tags: ['legal'],
      access: LEGAL_ROLES,
      query: z.object({
        status: z.enum(['open', 'all', ...REQUEST_STATUSES]).default('open'),
        type: z.enum(REQUEST_TYPES).optional(),
        userId: z.uuid().optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: z.object({ requests: z.array(legalRequestView) }),
      handler: async ({ query, req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        const statuses =
          query.status === 'open'
            ? [...OPEN_REQUEST_STATUSES]
            : query.status === 'all'
              ? null
              : [query.status];
        const ids = await em.execute<{ id: string }[]>(
          `select id from privacy_requests
            where (?::text[] is null or status = any(?::text[]))
              and (?::text is null or type = ?::text)
              and (?::uuid is null or user_id = ?::uuid)
            order by coalesce(extended_due_at, due_at) asc nulls last, created_at asc
            limit ?`,
          [
            statuses ? `{${statuses.join(',')}}` : null,
            statuses ? `{${statuses.join(',')}}` : null,
            query.type ?? null,
            query.type ?? null,
            query.userId ?? null,
            query.userId ?? null,
            query.limit,
          ],
        );
        const rows = await em.find(PrivacyRequest, { id: { $in: ids.map((r) => r.id) } });
        const byId = new Map(rows.map((r) => [r.id, r]));
        const ordered = ids.map((r) => byId.get(r.id)!).filter(Boolean);
        const views = await mapLimited(ordered, LIST_QUERY_CONCURRENCY, async (r) => ({
          ...(await requestView(deps, r, {
            progress: (OPEN_REQUEST_STATUSES as readonly string[]).includes(r.status),
          })),
          userId: r.user ?? null,
        }));
        await recordAudit(em, {
          action: 'legal.requests_listed',
          actorId: staff.id,
          actorRole: staff.role,
          details: { status: query.status, count: views.length },
        });
        return { requests: views };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/legal/requests/:id',
      summary: 'One rights request with its deadline and workflow steps (the access is audited)',
      tags: ['legal'],
      access: LEGAL_ROLES,
      params: idParams,
      response: legalRequestView,
      handler: async ({ params, req }) => {
        const staff = caller(req).user;
        const request = await findRequest(params.id);
        await recordAudit(deps.orm.em.fork(), {
          action: 'staff.viewed_privacy_request',
          actorId: staff.id,
          actorRole: staff.role,
          targetType: 'privacy_request',
          targetId: request.id,
          subjectUserId: request.user ?? null,
        });
        return { ...(await requestView(deps, request)), userId: request.user ?? null };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/legal/requests/:id/extend',
      summary:
        'Extend a deadline once, with a reason that is emailed to the person (GDPR: 1-2 months; CCPA: 45 days), within the first period',
      tags: ['legal'],
      access: LEGAL_ROLES,
      params: idParams,
      body: z.object({ reason: reasonSchema, months: z.number().int().optional() }).strict(),
      response: legalRequestView,
      handler: async ({ params, body, req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        const request = await findRequest(params.id);
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
        if (!result.ok)
          throw new AppError(
            result.code === 'already_extended' || result.code === 'too_late' ? 409 : 400,
            result.code,
            result.message,
          );
        // Once: the row's own condition refuses a concurrent second extension.
        const updated = await em.nativeUpdate(
          PrivacyRequest,
          { id: request.id, extendedDueAt: null },
          { extendedDueAt: result.extendedDueAt, extensionReason: body.reason },
        );
        if (updated === 0) throw conflict('already_extended', 'The deadline can be extended only once.');
        const user = request.user ? await em.findOne(User, { id: request.user }) : null;
        if (user && user.status !== 'deleted') {
          // D-CLOCK: the notice with its reason goes out now, within the first period.
          await sendLoggedMail(
            mail,
            em,
            {
              dedupeKey: `extension:${request.id}`,
              userId: user.id,
              template: 'deadline_extended',
              category: 'transactional',
            },
            privacyEmails.deadlineExtended(user.email, request.type, result.extendedDueAt, body.reason),
          );
          await em.nativeUpdate(PrivacyRequest, { id: request.id }, { extensionNoticeSentAt: new Date() });
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
            from: request.dueAt.toISOString(),
            to: result.extendedDueAt.toISOString(),
            noticeSent: Boolean(user),
          },
        });
        if (request.workflowId) {
          await signalRequestWorkflow(deps.temporal.client, request.workflowId, deadlineChangedSignal, {
            dueAt: result.extendedDueAt.toISOString(),
          });
        }
        const fresh = await findRequest(request.id);
        return { ...(await requestView(deps, fresh)), userId: fresh.user ?? null };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/legal/requests/:id/audit',
      summary: 'The audit events of a request, as JSON (including the file deletions of an account deletion)',
      tags: ['legal'],
      access: LEGAL_ROLES,
      params: idParams,
      handler: async ({ params, req }) => {
        const staff = caller(req).user;
        const request = await findRequest(params.id);
        const em = deps.orm.em.fork();
        const until = request.completedAt ?? new Date();
        const events = await em.execute<Record<string, unknown>[]>(
          `select id::text as id, occurred_at as "occurredAt", actor_id as "actorId", actor_role as "actorRole",
                  action, target_type as "targetType", target_id as "targetId",
                  subject_user_id as "subjectUserId", details, prev_hash as "prevHash", hash
             from audit_events
            where (target_type = 'privacy_request' and target_id = ?)
               or details->>'requestId' = ?
               or (request_scope.deletion and subject_user_id = ?::uuid
                   and action in ('asset.deleted', 'asset.deletion_deferred')
                   and occurred_at between ? and ?)
            order by audit_events.id`.replace(
            'request_scope.deletion',
            request.type === 'deletion' && request.user ? 'true' : 'false',
          ),
          [
            request.id,
            request.id,
            request.user ?? '00000000-0000-0000-0000-000000000000',
            request.createdAt,
            until,
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
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/legal/requests/:id/certificate',
      summary: 'The deletion certificate of an account deletion request',
      tags: ['legal'],
      access: LEGAL_ROLES,
      params: idParams,
      handler: async ({ params }) => {
        const certificate = await deps.orm.em.fork().findOne(DeletionCertificate, { requestId: params.id });
        if (!certificate) throw notFound('This request has no certificate (yet).');
        return certificateView(certificate);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/legal/certificates',
      summary: 'Deletion certificates, newest first',
      tags: ['legal'],
      access: LEGAL_ROLES,
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      handler: async ({ query }) => {
        const certificates = await deps.orm.em
          .fork()
          .find(DeletionCertificate, {}, { orderBy: { issuedAt: 'desc' }, limit: query.limit });
        return {
          certificates: certificates.map((c) => ({
            id: c.id,
            requestId: c.requestId,
            subjectId: c.subjectId,
            origin: c.origin,
            issuedAt: c.issuedAt.toISOString(),
            certificateHash: c.certificateHash,
          })),
        };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/legal/policy-versions',
      summary:
        'Publish a privacy policy version; a material change is emailed to every user, and one that needs consent must be accepted before further use',
      tags: ['legal'],
      access: LEGAL_ROLES,
      status: 201,
      body: z
        .object({
          version: z.string().trim().min(1).max(32),
          summary: z.string().trim().min(3).max(4000),
          material: z.boolean(),
          requiresConsent: z.boolean(),
        })
        .strict()
        .refine((b) => b.material || !b.requiresConsent, {
          message: 'A change that needs consent is material.',
          path: ['material'],
        }),
      handler: async ({ body, req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        if (await em.findOne(PolicyVersion, { version: body.version })) {
          throw conflict('version_exists', 'This version is already published.');
        }
        const version = em.create(PolicyVersion, {
          version: body.version,
          publishedAt: new Date(),
          material: body.material,
          requiresConsent: body.requiresConsent,
          summary: body.summary,
          publishedBy: staff.id,
        });
        await em.flush();
        clearPolicyCache();
        const announcementWorkflowId = body.material
          ? await startAnnouncement(deps.temporal.client, `policy-${body.version}`, {
              announcement: { kind: 'policy', version: body.version },
            })
          : null;
        await recordAudit(em, {
          action: 'privacy.policy_published',
          actorId: staff.id,
          actorRole: staff.role,
          details: { version: body.version, material: body.material, requiresConsent: body.requiresConsent },
        });
        return {
          version: version.version,
          publishedAt: version.publishedAt.toISOString(),
          material: version.material,
          requiresConsent: version.requiresConsent,
          announcementWorkflowId,
        };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/staff/users/:id/minor',
      summary:
        'Mark an account as under age without parental consent (D-MINOR): collection stops at once, every session ends, and all its data is deleted',
      tags: ['staff'],
      access: ['support', 'legal', 'admin'],
      params: idParams,
      status: 202,
      body: z.object({ reason: reasonSchema, parentEmail: emailSchema.optional() }).strict(),
      handler: async ({ params, body, req }) => {
        const staff = caller(req).user;
        // Collection stops now: the access layer refuses a suspended account, sessions end.
        const minor = await suspendMinor(deps, staff, params.id, body.parentEmail);
        const user = { id: minor.userId };
        const now = minor.suspendedAt;
        const em = deps.orm.em.fork();
        const verified = { verifiedAt: now.toISOString(), dueAt: dueDate('other', now).toISOString() };
        const open = await em.findOne(PrivacyRequest, {
          user: user.id,
          type: 'deletion',
          status: { $in: [...OPEN_REQUEST_STATUSES] },
        });
        let requestId: string;
        if (open) {
          // The person's own deletion already exists: it becomes the minor's (verified by support).
          requestId = open.id;
          await em.nativeUpdate(
            PrivacyRequest,
            { id: open.id, status: { $in: ['awaiting_verification', 'verified', 'paused'] } },
            { origin: 'minor', details: { requestedBy: staff.id, reason: body.reason } },
          );
          const wasWaiting = await em.nativeUpdate(
            PrivacyRequest,
            { id: open.id, status: 'awaiting_verification' },
            {
              status: 'verified',
              verifiedAt: now,
              dueAt: new Date(verified.dueAt),
              verificationCodeHash: null,
            },
          );
          if (wasWaiting > 0 && open.workflowId) {
            await signalRequestWorkflow(deps.temporal.client, open.workflowId, verifiedSignal, verified);
          }
        } else {
          const request = em.create(PrivacyRequest, {
            user: user.id,
            type: 'deletion',
            jurisdiction: 'other',
            status: 'verified',
            origin: 'minor',
            createdAt: now,
            verifiedAt: now,
            dueAt: new Date(verified.dueAt),
            expiresAt: new Date(now.getTime() + deps.config.durations.unverifiedRequestMs),
            details: { requestedBy: staff.id, reason: body.reason },
            verificationAttempts: 0,
          });
          request.workflowId = requestWorkflowId({ id: request.id, type: 'deletion', userId: user.id });
          await em.flush();
          requestId = request.id;
          await startRequestWorkflow(deps.temporal.client, {
            requestId: request.id,
            userId: user.id,
            type: 'deletion',
            origin: 'minor',
            expiresAt: request.expiresAt!.toISOString(),
            verified,
          });
        }
        const parent = minor.parentEmail;
        if (parent) {
          await sendLoggedMail(
            mail,
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
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/admin/marketing/campaigns',
      summary:
        'Send a marketing email to everyone who opted in and did not object, each with a one-click unsubscribe link',
      tags: ['staff'],
      access: ['admin'],
      status: 202,
      body: z
        .object({ subject: z.string().trim().min(3).max(200), body: z.string().trim().min(3).max(20_000) })
        .strict(),
      handler: async ({ body, req }) => {
        const staff = caller(req).user;
        const campaignId = randomUUID();
        const workflowId = await startAnnouncement(deps.temporal.client, `marketing-${campaignId}`, {
          announcement: { kind: 'marketing', campaignId, subject: body.subject, body: body.body },
        });
        await recordAudit(deps.orm.em.fork(), {
          action: 'marketing.campaign_started',
          actorId: staff.id,
          actorRole: staff.role,
          details: { campaignId },
        });
        return { campaignId, workflowId };
      },
    }),
  ];
}
