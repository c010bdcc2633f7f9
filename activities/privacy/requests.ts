// The life of a rights request as its workflows move it on: expiry of an unverified
// request, the claim that starts processing (after which the owner can no longer
// cancel), pauses, completion, the other rights (rectification, restriction, objection,
// consent withdrawal) and the emails that report on them. Each is idempotent by the
// request id: a status changes only from the statuses it may change from.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config/index.ts';
import { Asset, Consent, PrivacyRequest, User } from '../../db/entities/index.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import {
  CONSENT_PURPOSES,
  type ConsentPurpose,
  type PauseReason,
  type RequestStatus,
  type RequestType,
} from '../../domain/privacy.ts';
import { recordAudit, type AuditInput } from '../../platform/audit.ts';
import type { Mailer } from '../../platform/mail.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { startRetention } from '../../clients/retention.ts';
import { privacyEmails, sendLoggedMail } from '../../stores/mail.ts';

export interface RequestDeps {
  orm: MikroORM;
  config: Config;
  mailer: Mailer;
  temporal: TemporalClients;
}

export interface RequestSnapshot {
  id: string;
  userId: string | null;
  type: RequestType;
  status: RequestStatus;
  verifiedAt: string | null;
  dueAt: string | null;
}

/** Appends an audit event once per key (a retried activity never writes it twice). */
export async function auditOnce(em: EntityManager, key: string, input: AuditInput): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [key]);
    const [seen] = await tx.execute<{ n: number }[]>(
      `select count(*)::int as n from audit_events where action = ? and details->>'once' = ?`,
      [input.action, key],
    );
    if ((seen?.n ?? 0) > 0) return false;
    await recordAudit(tx, { ...input, details: { ...input.details, once: key } });
    return true;
  });
}

export const notFoundFailure = (requestId: string) =>
  ApplicationFailure.nonRetryable(`no privacy request ${requestId}`, 'RequestNotFound');

export function createRequestActivities(deps: RequestDeps) {
  const { orm, config, mailer, temporal } = deps;
  const mail = { mailer, config };

  async function load(requestId: string): Promise<PrivacyRequest> {
    const request = await orm.em.fork().findOne(PrivacyRequest, { id: requestId });
    if (!request) throw notFoundFailure(requestId);
    return request;
  }
  const snapshot = (r: PrivacyRequest): RequestSnapshot => ({
    id: r.id,
    userId: r.user ?? null,
    type: r.type,
    status: r.status,
    verifiedAt: r.verifiedAt?.toISOString() ?? null,
    dueAt: (r.extendedDueAt ?? r.dueAt)?.toISOString() ?? null,
  });
  const audit = (r: PrivacyRequest, action: string, details: Record<string, unknown> = {}): AuditInput => ({
    action,
    actorRole: 'system',
    targetType: 'privacy_request',
    targetId: r.id,
    subjectUserId: r.user ?? null,
    details: { type: r.type, ...details },
  });

  return {
    async loadRequest(requestId: string): Promise<RequestSnapshot> {
      return snapshot(await load(requestId));
    },

    /**
     * The verification window ended: the request expires unless it was verified (or
     * cancelled) meanwhile, in which case the database's answer stands and is returned.
     */
    async expireRequest(requestId: string): Promise<RequestSnapshot> {
      const em = orm.em.fork();
      const expired = await em.nativeUpdate(
        PrivacyRequest,
        { id: requestId, status: 'awaiting_verification' },
        { status: 'expired', verificationCodeHash: null, completedAt: new Date() },
      );
      const request = await load(requestId);
      if (expired > 0 || request.status === 'expired') {
        await auditOnce(em, `expired:${requestId}`, audit(request, 'privacy.request_expired'));
      }
      return snapshot(request);
    },

    /**
     * Starts processing: `verified` or `paused` becomes `in_progress`, after which the
     * owner can no longer cancel. Anything else (cancelled meanwhile) is returned as it is.
     */
    async claimRequest(requestId: string): Promise<RequestSnapshot> {
      const em = orm.em.fork();
      await em.nativeUpdate(
        PrivacyRequest,
        { id: requestId, status: { $in: ['verified', 'paused'] } },
        { status: 'in_progress', pausedReason: null },
      );
      const request = await load(requestId);
      if (request.status === 'in_progress') {
        await auditOnce(em, `started:${requestId}`, audit(request, 'privacy.request_started'));
      }
      return snapshot(request);
    },

    /** Shows the request as waiting, with its reason (a legal hold), once per pause. */
    async pauseRequest(input: { requestId: string; reason: PauseReason; holdIds: string[] }): Promise<void> {
      const em = orm.em.fork();
      const changed = await em.nativeUpdate(
        PrivacyRequest,
        { id: input.requestId, status: { $in: ['verified', 'in_progress'] } },
        { status: 'paused', pausedReason: input.reason },
      );
      if (changed > 0) {
        const request = await load(input.requestId);
        await recordAudit(
          em,
          audit(request, 'privacy.request_paused', { reason: input.reason, holdIds: input.holdIds }),
        );
      }
    },

    /** Back to work after a pause that began mid-way (the claim covers a pause before the start). */
    async resumeRequest(requestId: string): Promise<void> {
      const em = orm.em.fork();
      const changed = await em.nativeUpdate(
        PrivacyRequest,
        { id: requestId, status: 'paused', verifiedAt: { $ne: null } },
        { status: 'in_progress', pausedReason: null },
      );
      if (changed > 0) await recordAudit(em, audit(await load(requestId), 'privacy.request_resumed'));
    },

    /** Ends a request that cannot be answered any more (its account was deleted meanwhile). */
    async rejectRequest(input: { requestId: string; reason: string }): Promise<RequestSnapshot> {
      const em = orm.em.fork();
      await em.nativeUpdate(
        PrivacyRequest,
        { id: input.requestId, status: { $in: ['verified', 'in_progress', 'paused'] } },
        { status: 'rejected', completedAt: new Date() },
      );
      const request = await load(input.requestId);
      if (request.status === 'rejected') {
        await auditOnce(
          em,
          `rejected:${input.requestId}`,
          audit(request, 'privacy.request_rejected', { reason: input.reason }),
        );
      }
      return snapshot(request);
    },

    async completeRequest(requestId: string): Promise<RequestSnapshot> {
      const em = orm.em.fork();
      await em.nativeUpdate(
        PrivacyRequest,
        { id: requestId, status: 'in_progress' },
        { status: 'completed', completedAt: new Date() },
      );
      const request = await load(requestId);
      if (request.status === 'completed') {
        await auditOnce(em, `completed:${requestId}`, audit(request, 'privacy.request_completed'));
      }
      return snapshot(request);
    },

    /**
     * Carries out rectification, restriction, objection or consent withdrawal, as the
     * request's details say. Setting a flag that is already set changes nothing.
     */
    async applyRightsRequest(requestId: string): Promise<{ applied: string[] }> {
      const request = await load(requestId);
      if (!request.user)
        throw ApplicationFailure.nonRetryable('the request has no account', 'RequestNotFound');
      const em = orm.em.fork();
      const details = request.details ?? {};
      const applied: string[] = [];
      await em.transactional(async (tx) => {
        const user = await tx.findOneOrFail(User, { id: request.user! });
        switch (request.type) {
          case 'restriction':
            if (!user.restrictedAt) user.restrictedAt = new Date();
            applied.push('restricted');
            break;
          case 'objection': {
            const purposes = (details.purposes as string[] | undefined) ?? ['analytics', 'marketing'];
            if (purposes.includes('analytics')) {
              user.objectedToAnalyticsAt ??= new Date();
              applied.push('objected_to_analytics');
            }
            if (purposes.includes('marketing')) {
              user.objectedToMarketingAt ??= new Date();
              applied.push('objected_to_marketing');
            }
            break;
          }
          case 'consent_withdrawal': {
            const wanted = (details.purposes as ConsentPurpose[] | undefined) ?? [...CONSENT_PURPOSES];
            for (const purpose of wanted.filter((p) => CONSENT_PURPOSES.includes(p))) {
              // Once per request: a retry finds the row this request already wrote.
              const source = `request:${request.id}`.slice(0, 64);
              const done = await tx.count(Consent, { user: user.id, purpose, source });
              if (done === 0) {
                tx.create(Consent, {
                  user: user.id,
                  purpose,
                  granted: false,
                  policyVersion: POLICY_VERSION,
                  source,
                  createdAt: new Date(),
                });
              }
              applied.push(`withdrew_${purpose}`);
            }
            break;
          }
          case 'rectification': {
            const corrections = (details.corrections ?? {}) as { name?: string; dateOfBirth?: string };
            if (corrections.name) {
              user.name = corrections.name;
              applied.push('name');
            }
            if (corrections.dateOfBirth) {
              user.dateOfBirth = corrections.dateOfBirth;
              applied.push('dateOfBirth');
            }
            break;
          }
          default:
            throw ApplicationFailure.nonRetryable(`${request.type} is not applied here`, 'WrongRequestType');
        }
        user.updatedAt = new Date();
        await tx.flush();
      });
      await auditOnce(em, `applied:${requestId}`, audit(request, 'privacy.request_applied', { applied }));
      return { applied };
    },

    /**
     * Starts the export archive's retention workflow (RETENTION_POLICY.export): the
     * owner's download link works until it deletes the archive. Idempotent.
     */
    async publishExport(input: { requestId: string }): Promise<{ assetId: string; deleteAt: string }> {
      const request = await load(input.requestId);
      const asset = request.resultAssetId
        ? await orm.em.fork().findOne(Asset, { id: request.resultAssetId })
        : null;
      if (!asset?.deleteAt) {
        throw ApplicationFailure.nonRetryable('the request has no stored export', 'ExportGone');
      }
      await startRetention(temporal.client, asset);
      return { assetId: asset.id, deleteAt: asset.deleteAt.toISOString() };
    },

    /** Tells the owner the request is done (once per request). */
    async sendRequestCompleted(requestId: string): Promise<'sent' | 'already_sent' | 'no_account'> {
      const request = await load(requestId);
      const user = request.user ? await orm.em.fork().findOne(User, { id: request.user }) : null;
      if (!user || user.status === 'deleted') return 'no_account';
      return sendLoggedMail(
        mail,
        orm.em.fork(),
        {
          dedupeKey: `request-completed:${requestId}`,
          userId: user.id,
          template: 'request_completed',
          category: 'transactional',
        },
        privacyEmails.requestCompleted(user.email, request.type),
      );
    },

    /** Tells the owner the export is ready, with the link to its page (once per request). */
    async sendExportReady(input: {
      requestId: string;
      deleteAt: string;
    }): Promise<'sent' | 'already_sent' | 'no_account'> {
      const request = await load(input.requestId);
      const user = request.user ? await orm.em.fork().findOne(User, { id: request.user }) : null;
      if (!user || user.status === 'deleted') return 'no_account';
      const result = await sendLoggedMail(
        mail,
        orm.em.fork(),
        {
          dedupeKey: `export-ready:${input.requestId}`,
          userId: user.id,
          template: 'export_ready',
          category: 'transactional',
        },
        privacyEmails.exportReady(
          user.email,
          `${config.web.publicUrl}/privacy/requests/${input.requestId}`,
          new Date(input.deleteAt),
        ),
      );
      await auditOnce(
        orm.em.fork(),
        `export-ready:${input.requestId}`,
        audit(request, 'privacy.export_ready', { assetId: request.resultAssetId }),
      );
      return result;
    },
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;
