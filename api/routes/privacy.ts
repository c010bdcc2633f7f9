// Rights requests over HTTP for their owner (D-ACCESS, D-PORT, D-ERASE, D-RECTIFY,
// D-RESTRICT, D-OBJECT, D-CONSENT): make one, confirm it with the emailed code
// (D-VERIFY), follow it (status, deadline, days left, each step of its workflow),
// cancel it while nothing has started; the restriction and objection switches; policy
// acceptance (D-POLICY); one-click unsubscribe (D-UNSUB); and the deletion certificate
// by its signed link (the account it is about can no longer sign in).
import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request } from 'express';
import { z } from 'zod';
import { verifyLink } from '../../platform/links.ts';
import { privacyEmails, sendLoggedMail } from '../../stores/mail.ts';
import {
  requestWorkflowId,
  signalRequestWorkflow,
  startRequestWorkflow,
} from '../../activities/privacy/start.ts';
import {
  Asset,
  Consent,
  DeletionCertificate,
  PolicyVersion,
  PrivacyRequest,
  User,
} from '../../db/entities/index.ts';
import {
  CANCELLABLE_REQUEST_STATUSES,
  CONSENT_PURPOSES,
  DELETION_ORIGINS,
  JURISDICTIONS,
  OPEN_REQUEST_STATUSES,
  PAUSE_REASONS,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  STEP_STATES,
  VERIFICATION_CODE_DIGITS,
  VERIFICATION_CODE_TTL_MS,
  VERIFICATION_MAX_ATTEMPTS,
  isAccessRequest,
  policyAcceptanceRequired,
  requestDaysLeft,
} from '../../domain/privacy.ts';
import { canMakeCaliforniaAccessRequest, dueDate } from '../../domain/statutoryClock.ts';
import { MINUTE } from '../../domain/time.ts';
import { recordAudit } from '../../platform/audit.ts';
import { keyedHash, safeEqual } from '../../platform/crypto.ts';
import {
  cancelRequestSignal,
  requestProgressQuery,
  verifiedSignal,
  type RequestProgress,
} from '../../workflows/privacyRequest.ts';
import { caller } from '../auth/access.ts';
import { latestConsentVersion } from '../auth/policyGate.ts';
import type { ApiDeps } from '../deps.ts';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { currentConsents } from './consent.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const idParams = z.object({ id: z.uuid() });

/** How long a page waits for a workflow's progress before showing the database's view. */
const PROGRESS_QUERY_TIMEOUT_MS = 3000;

export const requestViewSchema = z.object({
  id: z.uuid(),
  type: z.enum(REQUEST_TYPES),
  jurisdiction: z.enum(JURISDICTIONS),
  status: z.enum(REQUEST_STATUSES),
  origin: z.enum(DELETION_ORIGINS),
  createdAt: z.string(),
  /** When an unverified request expires. */
  expiresAt: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  /** The deadline in force (the extended one, if any): D-CLOCK. */
  dueAt: z.string().nullable(),
  originalDueAt: z.string().nullable(),
  extended: z.boolean(),
  extensionReason: z.string().nullable(),
  daysLeft: z.number().nullable(),
  pausedReason: z.enum(PAUSE_REASONS).nullable(),
  completedAt: z.string().nullable(),
  canCancel: z.boolean(),
  workflowId: z.string().nullable(),
  verification: z.object({ codeExpiresAt: z.string().nullable(), attemptsLeft: z.number() }).nullable(),
  progress: z
    .object({
      steps: z.array(z.object({ name: z.string(), state: z.enum(STEP_STATES) })),
      counts: z.record(z.string(), z.number()),
    })
    .nullable(),
  export: z.object({ assetId: z.uuid(), status: z.string(), deleteAt: z.string().nullable() }).nullable(),
});
export type RequestView = z.infer<typeof requestViewSchema>;

/** The workflow's progress, or null when it cannot answer in time (no worker, ended long ago). */
export async function requestProgress(
  deps: ApiDeps,
  request: PrivacyRequest,
): Promise<RequestProgress | null> {
  if (!request.workflowId) return null;
  return deps.temporal.connection
    .withDeadline(Date.now() + PROGRESS_QUERY_TIMEOUT_MS, () =>
      deps.temporal.client.workflow.getHandle(request.workflowId!).query(requestProgressQuery),
    )
    .catch(() => null);
}

export async function requestView(
  deps: ApiDeps,
  request: PrivacyRequest,
  options: { progress?: boolean } = {},
): Promise<RequestView> {
  const now = new Date();
  const progress = options.progress === false ? null : await requestProgress(deps, request);
  const exported = request.resultAssetId
    ? await deps.orm.em.fork().findOne(Asset, { id: request.resultAssetId })
    : null;
  const due = request.extendedDueAt ?? request.dueAt ?? null;
  return {
    id: request.id,
    type: request.type,
    jurisdiction: request.jurisdiction,
    status: request.status,
    origin: request.origin,
    createdAt: request.createdAt.toISOString(),
    expiresAt: request.status === 'awaiting_verification' ? iso(request.expiresAt) : null,
    verifiedAt: iso(request.verifiedAt),
    dueAt: iso(due),
    originalDueAt: iso(request.dueAt),
    extended: Boolean(request.extendedDueAt),
    extensionReason: request.extensionReason ?? null,
    daysLeft: ['completed', 'rejected', 'expired', 'cancelled'].includes(request.status)
      ? null
      : requestDaysLeft(request, now),
    pausedReason: request.pausedReason ?? null,
    completedAt: iso(request.completedAt),
    canCancel: (CANCELLABLE_REQUEST_STATUSES as readonly string[]).includes(request.status),
    workflowId: request.workflowId ?? null,
    verification:
      request.status === 'awaiting_verification'
        ? {
            codeExpiresAt: request.verificationCodeHash ? iso(request.verificationExpiresAt) : null,
            attemptsLeft: request.verificationCodeHash
              ? Math.max(0, VERIFICATION_MAX_ATTEMPTS - request.verificationAttempts)
              : 0,
          }
        : null,
    progress: progress ? { steps: progress.steps, counts: progress.counts } : null,
    export: exported
      ? { assetId: exported.id, status: exported.status, deleteAt: iso(exported.deleteAt) }
      : null,
  };
}

/** A fresh 6-digit code, and what is stored of it (a keyed hash bound to the request). */
export function newVerificationCode(secret: string, requestId: string): { code: string; hash: string } {
  const code = String(randomInt(0, 10 ** VERIFICATION_CODE_DIGITS)).padStart(VERIFICATION_CODE_DIGITS, '0');
  return { code, hash: codeHash(secret, requestId, code) };
}
const codeHash = (secret: string, requestId: string, code: string) =>
  keyedHash(secret, 'privacy-verification', `${requestId}:${code}`);

const requestBody = z
  .object({
    type: z.enum(REQUEST_TYPES),
    jurisdiction: z.enum(JURISDICTIONS),
    /** Rectification: what is wrong, corrected (email and password are changed in settings). */
    corrections: z
      .object({
        name: z.string().trim().min(1).max(200).optional(),
        dateOfBirth: z.iso.date().optional(),
      })
      .strict()
      .optional(),
    /** Objection: `analytics`, `marketing`; consent withdrawal: the consent purposes. */
    purposes: z.array(z.string()).min(1).max(5).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.type === 'rectification' && !body.corrections?.name && !body.corrections?.dateOfBirth) {
      ctx.addIssue({ code: 'custom', path: ['corrections'], message: 'Say what should be corrected.' });
    }
    if (body.type === 'objection' && body.purposes?.some((p) => !['analytics', 'marketing'].includes(p))) {
      ctx.addIssue({ code: 'custom', path: ['purposes'], message: 'Object to analytics or marketing.' });
    }
    if (
      body.type === 'consent_withdrawal' &&
      body.purposes?.some((p) => !(CONSENT_PURPOSES as readonly string[]).includes(p))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['purposes'],
        message: `Purposes: ${CONSENT_PURPOSES.join(', ')}.`,
      });
    }
  });

const settingsSchema = z.object({
  restricted: z.boolean(),
  restrictedAt: z.string().nullable(),
  objections: z.object({ analytics: z.boolean(), marketing: z.boolean() }),
  consents: z.record(z.string(), z.unknown()),
  policy: z.object({
    currentVersion: z.string().nullable(),
    acceptedVersion: z.string().nullable(),
    acceptanceRequired: z.boolean(),
  }),
});

export function privacyRoutes(deps: ApiDeps) {
  const secret = deps.config.sessionSecret;
  const mail = { mailer: deps.mailer, config: deps.config };

  async function ownRequest(em: EntityManager, userId: string, id: string): Promise<PrivacyRequest> {
    const request = await em.findOne(PrivacyRequest, { id, user: userId });
    // Another person's request answers exactly like an unknown one.
    if (!request) throw notFound('No such request.');
    return request;
  }

  async function sendCode(em: EntityManager, user: User, request: PrivacyRequest): Promise<void> {
    const { code, hash } = newVerificationCode(secret, request.id);
    const sentAt = new Date();
    await em.nativeUpdate(
      PrivacyRequest,
      { id: request.id },
      {
        verificationCodeHash: hash,
        verificationSentAt: sentAt,
        verificationExpiresAt: new Date(sentAt.getTime() + VERIFICATION_CODE_TTL_MS),
        verificationAttempts: 0,
      },
    );
    await sendLoggedMail(
      mail,
      em,
      {
        dedupeKey: `verification:${request.id}:${sentAt.getTime()}`,
        userId: user.id,
        template: 'request_verification_code',
        category: 'transactional',
      },
      privacyEmails.verificationCode(user.email, request.type, code, VERIFICATION_CODE_TTL_MS / MINUTE),
    );
  }

  async function settingsOf(em: EntityManager, user: User): Promise<z.infer<typeof settingsSchema>> {
    const [current] = await em.find(
      PolicyVersion,
      { publishedAt: { $lte: new Date() } },
      { orderBy: { publishedAt: 'desc' }, limit: 1 },
    );
    return {
      restricted: Boolean(user.restrictedAt),
      restrictedAt: iso(user.restrictedAt),
      objections: {
        analytics: Boolean(user.objectedToAnalyticsAt),
        marketing: Boolean(user.objectedToMarketingAt),
      },
      consents: await currentConsents(em, { user: user.id }),
      policy: {
        currentVersion: current?.version ?? null,
        acceptedVersion: user.policyVersionAccepted ?? null,
        acceptanceRequired: policyAcceptanceRequired(user, await latestConsentVersion(deps.orm)),
      },
    };
  }

  const audit = (
    req: Request,
    action: string,
    targetId: string | null,
    details: Record<string, unknown> = {},
  ) => {
    const { user } = caller(req);
    return recordAudit(deps.orm.em.fork(), {
      action,
      actorId: user.id,
      actorRole: user.role,
      targetType: targetId ? 'privacy_request' : null,
      targetId,
      subjectUserId: user.id,
      details,
    });
  };

  return [
    defineRoute({
      method: 'post',
      path: '/api/privacy/requests',
      summary:
        'Make a rights request (access, portability, deletion, rectification, restriction, objection, consent withdrawal); a 6-digit code is emailed to confirm it',
      tags: ['privacy'],
      access: 'signed-in',
      // Rights are never held hostage to a policy change (a refusal is itself a right).
      policyExempt: true,
      rateLimit: 'verification',
      status: 201,
      body: requestBody,
      response: requestViewSchema,
      handler: async ({ body, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const now = new Date();
        if (body.type === 'deletion') {
          const open = await em.findOne(PrivacyRequest, {
            user: user.id,
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
        if (isAccessRequest(body.type) && body.jurisdiction === 'CCPA') {
          // D-CCPA-2X: two California access requests per 12 months.
          const previous = await em.find(
            PrivacyRequest,
            { user: user.id, jurisdiction: 'CCPA', type: { $in: ['access', 'portability'] } },
            { fields: ['createdAt', 'status'] },
          );
          const decision = canMakeCaliforniaAccessRequest(
            previous.map((r) => ({ at: r.createdAt, status: r.status })),
            now,
          );
          if (!decision.allowed) {
            const next = decision.nextAllowedAt.toISOString().slice(0, 10);
            throw new AppError(
              429,
              'ccpa_limit_reached',
              `California law lets us answer two access requests in 12 months, and you made two. Your next request is possible from ${next}.`,
              { fields: [{ field: 'nextAllowedAt', message: decision.nextAllowedAt.toISOString() }] },
            );
          }
        }
        const details: Record<string, unknown> = {};
        if (body.corrections) details.corrections = body.corrections;
        if (body.purposes) details.purposes = [...new Set(body.purposes)];
        const expiresAt = new Date(now.getTime() + deps.config.durations.unverifiedRequestMs);
        const request = em.create(PrivacyRequest, {
          user: user.id,
          type: body.type,
          jurisdiction: body.jurisdiction,
          status: 'awaiting_verification',
          createdAt: now,
          expiresAt,
          origin: 'user',
          details,
          verificationAttempts: 0,
        });
        request.workflowId = requestWorkflowId({ id: request.id, type: body.type, userId: user.id });
        await em.flush();
        try {
          const started = await startRequestWorkflow(deps.temporal.client, {
            requestId: request.id,
            userId: user.id,
            type: body.type,
            expiresAt: expiresAt.toISOString(),
            ...(body.type === 'deletion' ? { origin: 'user' as const } : {}),
          });
          if (!started)
            throw conflict('deletion_already_requested', 'Your account deletion is already under way.');
        } catch (err) {
          // Nothing is kept of a request whose workflow could not start.
          await deps.orm.em.fork().nativeDelete(PrivacyRequest, { id: request.id });
          throw err;
        }
        await recordAudit(em, {
          action: 'privacy.request_created',
          actorId: user.id,
          actorRole: user.role,
          targetType: 'privacy_request',
          targetId: request.id,
          subjectUserId: user.id,
          details: { type: body.type, jurisdiction: body.jurisdiction },
        });
        await sendCode(em, user, request);
        return requestView(deps, await deps.orm.em.fork().findOneOrFail(PrivacyRequest, { id: request.id }), {
          progress: false,
        });
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/privacy/requests',
      summary: 'My rights requests, newest first, with their deadlines',
      tags: ['privacy'],
      access: 'signed-in',
      // Rights are never held hostage to a policy change (a refusal is itself a right).
      policyExempt: true,
      response: z.object({ requests: z.array(requestViewSchema) }),
      handler: async ({ req }) => {
        const { user } = caller(req);
        const requests = await deps.orm.em
          .fork()
          .find(PrivacyRequest, { user: user.id }, { orderBy: { createdAt: 'desc' }, limit: 100 });
        return {
          requests: await Promise.all(requests.map((r) => requestView(deps, r, { progress: false }))),
        };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/privacy/requests/:id',
      summary: 'One of my requests: status, deadline, days left and each step of its workflow',
      tags: ['privacy'],
      access: 'signed-in',
      // Rights are never held hostage to a policy change (a refusal is itself a right).
      policyExempt: true,
      params: idParams,
      response: requestViewSchema,
      handler: async ({ params, req }) => {
        const { user } = caller(req);
        return requestView(deps, await ownRequest(deps.orm.em.fork(), user.id, params.id));
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/privacy/requests/:id/verify',
      summary: `Confirm my request with the emailed ${VERIFICATION_CODE_DIGITS}-digit code (${VERIFICATION_MAX_ATTEMPTS} tries, ${VERIFICATION_CODE_TTL_MS / MINUTE} minutes); the deadline starts now`,
      tags: ['privacy'],
      access: 'signed-in',
      // Rights are never held hostage to a policy change (a refusal is itself a right).
      policyExempt: true,
      rateLimit: 'verification',
      params: idParams,
      body: z.object({
        code: z
          .string()
          .regex(new RegExp(`^\\d{${VERIFICATION_CODE_DIGITS}}$`), 'Enter the 6-digit code we emailed you.'),
      }),
      response: requestViewSchema,
      handler: async ({ params, body, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const request = await ownRequest(em, user.id, params.id);
        if (request.status !== 'awaiting_verification') {
          throw conflict('not_awaiting_verification', `This request is ${request.status.replace('_', ' ')}.`);
        }
        // Every try is counted before the code is compared, atomically: no more than the allowed tries, ever.
        const counted = await em.execute<{ verification_code_hash: string; verification_attempts: number }[]>(
          `update privacy_requests set verification_attempts = verification_attempts + 1
            where id = ? and status = 'awaiting_verification' and verification_code_hash is not null
              and verification_attempts < ? and verification_expires_at > now()
            returning verification_code_hash, verification_attempts`,
          [request.id, VERIFICATION_MAX_ATTEMPTS],
        );
        const row = counted[0];
        if (!row) {
          const expired =
            request.verificationExpiresAt && request.verificationExpiresAt.getTime() <= Date.now();
          throw new AppError(
            400,
            expired ? 'code_expired' : 'code_void',
            expired
              ? 'This code has expired. Ask for a new one.'
              : 'This code can no longer be used after too many wrong tries. Ask for a new one.',
          );
        }
        if (!safeEqual(codeHash(secret, request.id, body.code), row.verification_code_hash)) {
          const left = VERIFICATION_MAX_ATTEMPTS - row.verification_attempts;
          if (left <= 0) {
            await em.nativeUpdate(PrivacyRequest, { id: request.id }, { verificationCodeHash: null });
          }
          await audit(req, 'privacy.verification_failed', request.id, { attemptsLeft: left });
          throw new AppError(
            400,
            'invalid_code',
            left > 0
              ? `That code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.`
              : 'That code is not right, and it can no longer be used. Ask for a new one.',
          );
        }
        const verifiedAt = new Date();
        const due = dueDate(request.jurisdiction, verifiedAt);
        const verified = await em.nativeUpdate(
          PrivacyRequest,
          {
            id: request.id,
            status: 'awaiting_verification',
            verificationCodeHash: row.verification_code_hash,
          },
          { status: 'verified', verifiedAt, dueAt: due, verificationCodeHash: null },
        );
        if (verified === 0) throw conflict('not_awaiting_verification', 'This request changed meanwhile.');
        await audit(req, 'privacy.request_verified', request.id, { dueAt: due.toISOString() });
        await signalRequestWorkflow(deps.temporal.client, request.workflowId!, verifiedSignal, {
          verifiedAt: verifiedAt.toISOString(),
          dueAt: due.toISOString(),
        });
        return requestView(deps, await deps.orm.em.fork().findOneOrFail(PrivacyRequest, { id: request.id }));
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/privacy/requests/:id/code',
      summary: 'Email me a new code for this request (the old one stops working)',
      tags: ['privacy'],
      access: 'signed-in',
      // Rights are never held hostage to a policy change (a refusal is itself a right).
      policyExempt: true,
      rateLimit: 'verification',
      params: idParams,
      response: requestViewSchema,
      handler: async ({ params, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const request = await ownRequest(em, user.id, params.id);
        if (request.status !== 'awaiting_verification') {
          throw conflict('not_awaiting_verification', `This request is ${request.status.replace('_', ' ')}.`);
        }
        await sendCode(em, user, request);
        return requestView(deps, await deps.orm.em.fork().findOneOrFail(PrivacyRequest, { id: request.id }), {
          progress: false,
        });
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/privacy/requests/:id/cancel',
      summary: 'Cancel my request while nothing has started (a deletion: until the deletion begins)',
      tags: ['privacy'],
      access: 'signed-in',
      // Rights are never held hostage to a policy change (a refusal is itself a right).
      policyExempt: true,
      params: idParams,
      response: requestViewSchema,
      handler: async ({ params, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const request = await ownRequest(em, user.id, params.id);
        // The workflow's claim and this update race on the same row: exactly one wins.
        const cancelled = await em.nativeUpdate(
          PrivacyRequest,
          { id: request.id, status: { $in: [...CANCELLABLE_REQUEST_STATUSES] } },
          { status: 'cancelled', completedAt: new Date(), verificationCodeHash: null, pausedReason: null },
        );
        if (cancelled === 0) {
          throw conflict(
            'not_cancellable',
            request.type === 'deletion' && request.status === 'in_progress'
              ? 'The deletion has started and can no longer be cancelled.'
              : `This request is ${request.status.replace('_', ' ')} and can no longer be cancelled.`,
          );
        }
        await audit(req, 'privacy.request_cancelled', request.id, { type: request.type });
        if (request.workflowId)
          await signalRequestWorkflow(deps.temporal.client, request.workflowId, cancelRequestSignal);
        return requestView(deps, await deps.orm.em.fork().findOneOrFail(PrivacyRequest, { id: request.id }), {
          progress: false,
        });
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/privacy/requests/:id/certificate',
      summary: 'The certificate of an account deletion, by the signed link emailed when it was done',
      tags: ['privacy'],
      access: 'public',
      params: idParams,
      query: z.object({ token: z.string().min(10).max(200) }),
      handler: async ({ params, query }) => {
        if (!verifyLink(secret, 'certificate', params.id, query.token)) {
          throw new AppError(403, 'invalid_link', 'This link is invalid or has expired.');
        }
        const certificate = await deps.orm.em.fork().findOne(DeletionCertificate, { requestId: params.id });
        if (!certificate) {
          throw conflict(
            'certificate_not_ready',
            'The certificate is being prepared. Try again in a minute.',
          );
        }
        return certificateView(certificate);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/privacy/settings',
      summary: 'My restriction and objection switches, consents and policy acceptance',
      tags: ['privacy'],
      access: 'signed-in',
      response: settingsSchema,
      handler: async ({ req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        return settingsOf(em, await em.findOneOrFail(User, { id: user.id }));
      },
    }),

    defineRoute({
      method: 'put',
      path: '/api/privacy/restriction',
      summary:
        'Restrict processing of my data (no new generation, uploads or analytics) or lift it (D-RESTRICT)',
      tags: ['privacy'],
      access: 'signed-in',
      body: z.object({ restricted: z.boolean() }).strict(),
      response: settingsSchema,
      handler: async ({ body, req }) => {
        const { user: me } = caller(req);
        const em = deps.orm.em.fork();
        const user = await em.findOneOrFail(User, { id: me.id });
        if (Boolean(user.restrictedAt) !== body.restricted) {
          user.restrictedAt = body.restricted ? new Date() : null;
          user.updatedAt = new Date();
          await em.flush();
          await audit(req, 'privacy.restriction_changed', null, { restricted: body.restricted });
        }
        return settingsOf(em, user);
      },
    }),

    defineRoute({
      method: 'put',
      path: '/api/privacy/objection',
      summary: 'Object to analytics or direct marketing about me, or withdraw the objection (D-OBJECT)',
      tags: ['privacy'],
      access: 'signed-in',
      body: z
        .object({ analytics: z.boolean().optional(), marketing: z.boolean().optional() })
        .strict()
        .refine(
          (b) => b.analytics !== undefined || b.marketing !== undefined,
          'Choose analytics or marketing.',
        ),
      response: settingsSchema,
      handler: async ({ body, req }) => {
        const { user: me } = caller(req);
        const em = deps.orm.em.fork();
        const user = await em.findOneOrFail(User, { id: me.id });
        const changed: Record<string, boolean> = {};
        if (body.analytics !== undefined && Boolean(user.objectedToAnalyticsAt) !== body.analytics) {
          user.objectedToAnalyticsAt = body.analytics ? new Date() : null;
          changed.analytics = body.analytics;
        }
        if (body.marketing !== undefined && Boolean(user.objectedToMarketingAt) !== body.marketing) {
          user.objectedToMarketingAt = body.marketing ? new Date() : null;
          changed.marketing = body.marketing;
        }
        if (Object.keys(changed).length > 0) {
          user.updatedAt = new Date();
          await em.flush();
          await audit(req, 'privacy.objection_changed', null, { objected: changed });
        }
        return settingsOf(em, user);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/privacy/policy',
      summary: 'The privacy policy versions, newest first, and whether I must accept the newest',
      tags: ['privacy'],
      access: 'public',
      handler: async ({ req }) => {
        const versions = await deps.orm.em
          .fork()
          .find(
            PolicyVersion,
            { publishedAt: { $lte: new Date() } },
            { orderBy: { publishedAt: 'desc' }, limit: 50 },
          );
        const latest = await latestConsentVersion(deps.orm);
        return {
          current: versions[0]?.version ?? null,
          versions: versions.map((v) => ({
            version: v.version,
            publishedAt: v.publishedAt.toISOString(),
            material: v.material,
            requiresConsent: v.requiresConsent,
            summary: v.summary,
          })),
          acceptanceRequired: req.auth ? policyAcceptanceRequired(req.auth.user, latest) : false,
        };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/privacy/policy/accept',
      summary: 'Accept the current privacy policy (needed after a change that requires consent)',
      tags: ['privacy'],
      access: 'signed-in',
      policyExempt: true,
      body: z.object({ version: z.string().min(1).max(32) }).strict(),
      handler: async ({ body, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const [current] = await em.find(
          PolicyVersion,
          { publishedAt: { $lte: new Date() } },
          { orderBy: { publishedAt: 'desc' }, limit: 1 },
        );
        if (!current || current.version !== body.version) {
          throw badRequest('Accept the current version of the policy.', [
            { field: 'version', message: `The current version is ${current?.version ?? 'none'}.` },
          ]);
        }
        const acceptedAt = new Date();
        await em.nativeUpdate(
          User,
          { id: user.id },
          { policyVersionAccepted: current.version, policyAcceptedAt: acceptedAt },
        );
        await audit(req, 'privacy.policy_accepted', null, { version: current.version });
        return { status: 'accepted', version: current.version, acceptedAt: acceptedAt.toISOString() };
      },
    }),

    ...(['get', 'post'] as const).map((method) =>
      defineRoute({
        method,
        path: '/api/privacy/unsubscribe',
        summary:
          method === 'post'
            ? 'One-click unsubscribe from marketing email (RFC 8058 List-Unsubscribe-Post), by the signed link'
            : 'Whether the signed link’s owner still gets marketing email (reading it changes nothing)',
        tags: ['privacy'],
        access: 'public',
        // Mail clients post without cookies: the signed link is the authentication.
        ...(method === 'post' ? { csrf: false as const } : {}),
        query: z.object({ u: z.uuid(), token: z.string().min(10).max(200) }),
        handler: async ({ query }) => {
          if (!verifyLink(secret, 'unsubscribe', query.u, query.token)) {
            throw new AppError(403, 'invalid_link', 'This unsubscribe link is invalid or has expired.');
          }
          const em = deps.orm.em.fork();
          const user = await em.findOne(User, { id: query.u, status: { $ne: 'deleted' } });
          if (!user) return { status: 'unsubscribed' };
          const consents = await currentConsents(em, { user: user.id });
          if (method === 'get') {
            // Reading the link changes nothing: mail scanners open links too.
            return { status: consents.marketing_email?.granted ? 'subscribed' : 'unsubscribed' };
          }
          if (consents.marketing_email?.granted) {
            // A withdrawal, like any choice (D-CONSENT): a new row; earlier mail stays lawful.
            em.create(Consent, {
              user: user.id,
              purpose: 'marketing_email',
              granted: false,
              policyVersion: consents.marketing_email.policyVersion,
              source: 'unsubscribe_link',
              createdAt: new Date(),
            });
            await em.flush();
            await recordAudit(em, {
              action: 'privacy.unsubscribed',
              actorId: user.id,
              actorRole: user.role,
              subjectUserId: user.id,
              details: { via: 'link' },
            });
          }
          return {
            status: 'unsubscribed',
            message: 'You will get no more marketing email. Account emails continue.',
          };
        },
      }),
    ),
  ];
}

export function certificateView(certificate: DeletionCertificate) {
  return {
    id: certificate.id,
    requestId: certificate.requestId,
    subjectId: certificate.subjectId,
    origin: certificate.origin,
    issuedAt: certificate.issuedAt.toISOString(),
    certificateHash: certificate.certificateHash,
    contents: certificate.contents,
  };
}
