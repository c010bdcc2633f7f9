// Account deletion (D-ERASE, R-ACCT-90D, D-RECIPIENTS, D-MINOR): the activities of the
// `account-deletion-<userId>` workflow. Each is idempotent by the user or request id and
// checks what is already done before acting, so a worker that dies anywhere leaves
// nothing done twice: sessions, jobs, files, rows, notices, the certificate.
//
// What happens to each kind of data (and why):
// - erased (deleted): sessions (IP, browser), emailed tokens, MFA codes, price quotes,
//   consents, identifying analytics, the email log, script projects (scripts, scenes,
//   revisions), the asset rows (after every object is deleted with its proof), every
//   stored object;
// - anonymized: the profile becomes a placeholder with no email, name, birth date,
//   parent address, password or sign-in link (its uuid stays, see below); jobs keep only
//   what a transaction record needs (model, provider, credits, times), prompts and
//   inputs erased; requests' free-text details cleared;
// - kept, detached (R-PAY-7Y): credit ledger rows lose the user id, and references that
//   embedded it are replaced by random ones; the remaining balance is expired by a ledger
//   entry, so the ledger still adds up;
// - kept as they are: audit events (append-only, hash-chained, they carry only uuids),
//   deletion proofs (R-PROOF), legal holds (R-HOLD), the certificate and the recipients
//   ledger (detached), and the privacy request rows (the legal team's record).
// The uuid is kept on the placeholder and in those records: after the erasure no table
// maps it to a name, an address or anything else about the person, so it identifies
// nobody, while the audit chain and the proofs stay verifiable.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import type { Config } from '../../config/index.ts';
import { Asset, DataRecipient, DeletionCertificate, PrivacyRequest, User } from '../../db/entities/index.ts';
import { writeLedger } from '../../stores/billing.ts';
import { TERMINAL_JOB_STATUSES } from '../../domain/generation.ts';
import type { ProviderName } from '../../domain/models.ts';
import {
  CERTIFICATE_LINK_TTL_MS,
  DELETION_HEARTBEAT_EVERY_MS,
  type DeletionOrigin,
  type ErasureOutcome,
} from '../../domain/privacy.ts';
import { LIVE_ASSET_STATUSES, SWEEP_BATCH_SIZE, type DeletionReason } from '../../domain/retention.ts';
import { recordAudit } from '../../platform/audit.ts';
import { keyedHash, sha256Hex } from '../../platform/crypto.ts';
import type { Mailer } from '../../platform/mail.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { requestGenerationCancel } from '../../clients/generation.ts';
import { createProviderAdapters } from '../../providers/index.ts';
import { ProviderError } from '../../providers/types.ts';
import { deleteAsset, deleteAssetNow } from '../../stores/retention.ts';
import { canonicalJson } from './certificate.ts';
import { signLink } from '../../platform/links.ts';
import { privacyEmails, sendLoggedMail } from '../../stores/mail.ts';
import { auditOnce, notFoundFailure } from './requests.ts';

export interface DeletionDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  mailer: Mailer;
}

export interface ErasedRows {
  sessions: number;
  accountTokens: number;
  mfaRecoveryCodes: number;
  priceQuotes: number;
  consents: number;
  analyticsEvents: number;
  scriptProjects: number;
  jobsAnonymized: number;
  assetRows: number;
  ledgerEntriesDetached: number;
  paymentsDetached: number;
  creditsExpired: number;
}

export interface RecipientNotices {
  sent: number;
  outcomes: Record<ErasureOutcome, number>;
}

/** How long the emailed certificate link works, from now. */
export function certificateLink(config: Config, requestId: string, now = Date.now()) {
  const expiresAt = now + CERTIFICATE_LINK_TTL_MS;
  const token = signLink(config.sessionSecret, 'certificate', requestId, expiresAt);
  return {
    // The site's page shows the certificate (and fetches it from the API with the same token).
    url: `${config.web.publicUrl}/privacy/requests/${requestId}/certificate?token=${encodeURIComponent(token)}`,
    expiresAt: new Date(expiresAt),
  };
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Outside an activity (tests call some directly).
  }
}

/** Heartbeats while a slow call (a provider's answer) is awaited, so the step is not thought dead. */
async function whileBeating<T>(details: unknown, call: () => Promise<T>): Promise<T> {
  heartbeat(details);
  const timer = setInterval(() => heartbeat(details), DELETION_HEARTBEAT_EVERY_MS);
  try {
    return await call();
  } finally {
    clearInterval(timer);
  }
}

/** The last heartbeat of an earlier attempt, where a retry resumes. */
function resumeFrom<T>(): T | undefined {
  try {
    return Context.current().info.heartbeatDetails as T | undefined;
  } catch {
    return undefined;
  }
}

function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** Tries a provider gets before its notice is recorded as failed (transient errors only). */
const NOTICE_ATTEMPTS = 5;

export function createDeletionActivities(deps: DeletionDeps) {
  const { orm, config, temporal, mailer } = deps;
  const adapters = createProviderAdapters(config.providers);
  const mail = { mailer, config };

  async function loadRequest(requestId: string): Promise<PrivacyRequest> {
    const request = await orm.em.fork().findOne(PrivacyRequest, { id: requestId });
    if (!request) throw notFoundFailure(requestId);
    return request;
  }
  const audit = (request: PrivacyRequest, action: string, details: Record<string, unknown> = {}) => ({
    action,
    actorRole: 'system',
    targetType: 'privacy_request',
    targetId: request.id,
    subjectUserId: request.user ?? null,
    details: { requestId: request.id, origin: request.origin, ...details },
  });

  return {
    /** R-HOLD: active holds on the person or on any of their live files. */
    async deletionHolds(userId: string): Promise<string[]> {
      const rows = await orm.em.fork().execute<{ id: string }[]>(
        `select id from legal_holds
          where released_at is null
            and (user_id = ? or asset_id in (select id from assets where user_id = ? and status in (?)))
          order by placed_at, id`,
        [userId, userId, [...LIVE_ASSET_STATUSES]],
      );
      return rows.map((r) => r.id);
    },

    /**
     * The account stops being usable: status `deletion_requested` (a minor's stays
     * `suspended_minor`), every session revoked. Repeats change nothing more.
     */
    async suspendAccount(input: { requestId: string; userId: string }): Promise<{ revokedSessions: number }> {
      const em = orm.em.fork();
      const request = await loadRequest(input.requestId);
      await em.nativeUpdate(
        User,
        { id: input.userId, status: { $nin: ['deleted', 'suspended_minor'] } },
        { status: 'deletion_requested', updatedAt: new Date() },
      );
      const revoked = await em.execute<{ id: string }[]>(
        'update sessions set revoked_at = now() where user_id = ? and revoked_at is null returning id',
        [input.userId],
      );
      await auditOnce(
        em,
        `suspended:${input.requestId}`,
        audit(request, 'privacy.account_suspended', { revokedSessions: revoked.length }),
      );
      return { revokedSessions: revoked.length };
    },

    /**
     * Asks every unfinished job to cancel through its own workflow (its credits are
     * released there, as for any cancellation). Answers how many are still running.
     */
    async cancelRunningJobs(userId: string): Promise<{ asked: number; running: number }> {
      const em = orm.em.fork();
      const jobs = await em.execute<{ id: string }[]>(
        `select id from generation_jobs where user_id = ? and status not in (?) order by created_at`,
        [userId, [...TERMINAL_JOB_STATUSES]],
      );
      let asked = 0;
      for (const job of jobs) {
        // Started, not awaited: the workflow polls the rows for the jobs to end.
        try {
          if ((await requestGenerationCancel(temporal.client, job.id, userId)) === 'asked') asked++;
        } catch (err) {
          // A job that ended while it was asked needs nothing more.
          const [row] = await orm.em
            .fork()
            .execute<{ status: string }[]>('select status from generation_jobs where id = ?', [job.id]);
          if (!row || !(TERMINAL_JOB_STATUSES as readonly string[]).includes(row.status)) throw err;
        }
        heartbeat({ asked });
      }
      const [left] = await em.execute<{ n: number }[]>(
        `select count(*)::int as n from generation_jobs where user_id = ? and status not in (?)`,
        [userId, [...TERMINAL_JOB_STATUSES]],
      );
      return { asked, running: left?.n ?? 0 };
    },

    /**
     * Asks every live file of the person to be deleted now, through its retention
     * workflow's deletion path (reason `account_deletion` or `minor`): deletion with
     * proof, or deferral while a hold covers it. Heartbeats its place in the list.
     */
    async requestAssetDeletions(input: {
      requestId: string;
      userId: string;
    }): Promise<{ requested: number; deferred: number }> {
      const request = await loadRequest(input.requestId);
      const reason: DeletionReason = request.origin === 'minor' ? 'minor' : 'account_deletion';
      const requestedBy = (request.details?.requestedBy as string | undefined) ?? input.userId;
      let after = resumeFrom<{ after: string }>()?.after ?? '00000000-0000-0000-0000-000000000000';
      let requested = 0;
      let deferred = 0;
      for (;;) {
        const page = await orm.em
          .fork()
          .find(
            Asset,
            { user: input.userId, status: { $in: [...LIVE_ASSET_STATUSES] }, id: { $gt: after } },
            { orderBy: { id: 'asc' }, limit: SWEEP_BATCH_SIZE },
          );
        for (const asset of page) {
          // A file whose upload never finished has no retention workflow: deleted directly.
          const outcome = asset.deleteAt
            ? await deleteAssetNow(deps, asset, { reason, requestedBy })
            : await deleteAsset(deps, {
                assetId: asset.id,
                userId: input.userId,
                kind: asset.kind,
                objectKey: asset.objectKey,
                reason,
                requestedBy,
                requestedAt: new Date().toISOString(),
              });
          if (outcome.status === 'deferred') deferred++;
          requested++;
          after = asset.id;
          heartbeat({ after });
        }
        if (page.length < SWEEP_BATCH_SIZE) break;
      }
      return { requested, deferred };
    },

    /**
     * How many of the person's files still wait for their deletion proof, how many of
     * those are held, and how many nobody asked to delete yet (stored after the request
     * went out, such as an export that was being written).
     */
    async assetDeletionStatus(
      userId: string,
    ): Promise<{ remaining: number; held: number; unrequested: number }> {
      const [row] = await orm.em.fork().execute<{ remaining: number; held: number; unrequested: number }[]>(
        `select count(*)::int as remaining,
                count(*) filter (where a.status in ('pending', 'stored', 'missing'))::int as unrequested,
                count(*) filter (where exists (
                  select 1 from legal_holds h where h.released_at is null
                     and (h.user_id = a.user_id or h.asset_id = a.id)))::int as held
           from assets a where a.user_id = ? and a.status <> 'deleted'`,
        [userId],
      );
      return { remaining: row?.remaining ?? 0, held: row?.held ?? 0, unrequested: row?.unrequested ?? 0 };
    },

    /**
     * Erases or anonymizes every row about the person except the profile itself (see the
     * list at the top), in one transaction: a retry after a crash either finds nothing
     * done or everything done. Refuses while any file is left (their proofs come first).
     */
    async eraseAccountRows(input: { requestId: string; userId: string }): Promise<ErasedRows> {
      const request = await loadRequest(input.requestId);
      const em = orm.em.fork();
      const userId = input.userId;
      // Done before (the answer was lost with a worker): the figures recorded then stand.
      const [earlier] = await em.execute<{ details: { rows?: ErasedRows } }[]>(
        `select details from audit_events where action = 'privacy.rows_erased' and details->>'once' = ? limit 1`,
        [`erased:${input.requestId}`],
      );
      if (earlier?.details.rows) return earlier.details.rows;
      const left = await em.count(Asset, { user: userId, status: { $ne: 'deleted' } });
      if (left > 0) throw new Error(`${left} file(s) still wait for their deletion`);
      return em.transactional(async (tx) => {
        const run = async (sql: string, params: unknown[] = [userId]) =>
          (await tx.execute<{ id: unknown }[]>(sql, params)).length;
        // The remaining balance is given up at deletion, by a ledger entry (so the ledger adds up).
        const [balanceRow] = await tx.execute<{ credit_balance: number }[]>(
          'select credit_balance from users where id = ?',
          [userId],
        );
        const balance = Number(balanceRow?.credit_balance ?? 0);
        let creditsExpired = 0;
        if (balance > 0) {
          const result = await writeLedger(tx, {
            userId,
            kind: 'expire',
            credits: balance,
            // Keyed: the same on every retry, yet it names neither the person nor the request.
            reference: `account-deletion:${keyedHash(config.sessionSecret, 'ledger-detach', input.requestId).slice(0, 40)}`,
            note: 'remaining credits given up when the account was deleted',
          });
          if (result.applied) creditsExpired = balance;
        }
        const erased: ErasedRows = {
          sessions: await run('delete from sessions where user_id = ? returning id'),
          accountTokens: await run('delete from account_tokens where user_id = ? returning id'),
          mfaRecoveryCodes: await run('delete from mfa_recovery_codes where user_id = ? returning id'),
          priceQuotes: await run('delete from price_quotes where user_id = ? returning id'),
          consents: await run('delete from consents where user_id = ? returning id'),
          analyticsEvents: await run('delete from analytics_events where user_id = ? returning id'),
          // Scripts, scenes and revisions (their files are already gone, with proofs).
          scriptProjects: await run('delete from script_projects where user_id = ? returning id'),
          // Kept as the transaction's record: model, provider, credits, status and times.
          jobsAnonymized: await run(
            `update generation_jobs set user_id = null, prompt = '', idempotency_key = null,
                    request_hash = repeat('0', 64), quote_id = null, provider_task_id = null,
                    failure_reason = null, review_reason = null,
                    parameters = jsonb_strip_nulls(jsonb_build_object(
                      'durationSeconds', parameters->'durationSeconds',
                      'aspectRatio', parameters->'aspectRatio',
                      'resolution', parameters->'resolution',
                      'inputCount', jsonb_array_length(coalesce(parameters->'inputs', '[]'::jsonb))))
              where user_id = ? returning id`,
          ),
          // Every object is gone and proven so (the proofs keep what the rows said).
          assetRows: await run(`delete from assets where user_id = ? and status = 'deleted' returning id`),
          // R-PAY-7Y: kept 7 years, detached; a reference that embedded the user id gets a random one.
          ledgerEntriesDetached: await run(
            `update credit_ledger set user_id = null,
                    reference = case when reference like '%' || ?::text || '%' then 'detached:' || gen_random_uuid()::text else reference end
              where user_id = ? returning id`,
            [userId, userId],
          ),
          // R-PAY-7Y: the purchases stay for the tax record, without the person.
          paymentsDetached: await run('update payments set user_id = null where user_id = ? returning id'),
          creditsExpired,
        };
        await tx.execute(`update users set credit_balance = 0 where id = ?`, [userId]);
        await tx.execute(`update privacy_requests set details = '{}'::jsonb where user_id = ? and id <> ?`, [
          userId,
          input.requestId,
        ]);
        const done = await tx.execute<{ n: number }[]>(
          `select count(*)::int as n from audit_events where action = 'privacy.rows_erased' and details->>'once' = ?`,
          [`erased:${input.requestId}`],
        );
        if ((done[0]?.n ?? 0) === 0) {
          // In the same transaction as the erasure, so it is recorded exactly once.
          await recordAudit(
            tx,
            audit(request, 'privacy.rows_erased', { rows: { ...erased }, once: `erased:${input.requestId}` }),
          );
        }
        return erased;
      });
    },

    /**
     * D-RECIPIENTS: asks every provider that received one of the person's jobs to erase
     * it (`deleteTask`) and records each answer in the recipients ledger. A notice is
     * marked before it is sent, so a retry knows one may have gone out; a provider that
     * then answers "not found" had already erased it, and the outcome stays `deleted`.
     */
    async sendErasureNotices(input: { requestId: string; userId: string }): Promise<RecipientNotices> {
      const em = orm.em.fork();
      const rows = await em.find(
        DataRecipient,
        { userId: input.userId, erasureOutcome: null },
        { orderBy: { sentAt: 'asc', id: 'asc' } },
      );
      for (const row of rows) {
        const adapter = adapters[row.provider as Exclude<ProviderName, 'local'>];
        let outcome: ErasureOutcome;
        let detail: string | null = null;
        if (!adapter) {
          outcome = 'failed';
          detail = 'provider_not_configured';
        } else if (!adapter.deleteTask) {
          outcome = 'not_supported';
        } else {
          const retried = row.erasureRequestedAt !== null && row.erasureRequestedAt !== undefined;
          await em.nativeUpdate(
            DataRecipient,
            { id: row.id, erasureRequestedAt: null },
            { erasureRequestedAt: new Date() },
          );
          try {
            const answer = await whileBeating({ notice: row.id }, () =>
              adapter.deleteTask!(row.providerTaskId),
            );
            outcome = answer === 'not_found' && retried ? 'deleted' : answer;
            if (answer === 'not_found' && retried) detail = 'gone when the notice was repeated';
          } catch (err) {
            const transient = err instanceof ProviderError ? err.retryable || err.outcomeUnknown : true;
            // A transient failure is retried with the activity (rows done are skipped);
            // after the last try, or for a permanent refusal, the failure is recorded.
            if (transient && attempt() < NOTICE_ATTEMPTS) throw err;
            outcome = 'failed';
            detail = err instanceof ProviderError ? err.code : 'error';
          }
        }
        await em.nativeUpdate(
          DataRecipient,
          { id: row.id, erasureOutcome: null },
          { erasureOutcome: outcome, erasureCompletedAt: new Date(), erasureDetail: detail },
        );
        heartbeat({ done: row.id });
      }
      const all = await orm.em
        .fork()
        .find(DataRecipient, { userId: input.userId }, { fields: ['erasureOutcome'] });
      const outcomes: Record<ErasureOutcome, number> = {
        deleted: 0,
        not_found: 0,
        not_supported: 0,
        failed: 0,
      };
      for (const r of all) if (r.erasureOutcome) outcomes[r.erasureOutcome]++;
      const request = await loadRequest(input.requestId);
      await auditOnce(
        em,
        `notices:${input.requestId}`,
        audit(request, 'privacy.erasure_notices_sent', { outcomes }),
      );
      return { sent: all.length, outcomes };
    },

    /**
     * The last email to the person: their account is deleted, and where the certificate
     * is (a signed link: they can no longer sign in). Sent just before the address itself
     * is erased; a minor's goes to nobody but the parent, who was told at the start.
     */
    async sendDeletionNotice(input: {
      requestId: string;
      userId: string;
    }): Promise<'sent' | 'already_sent' | 'no_address'> {
      const request = await loadRequest(input.requestId);
      const user = await orm.em.fork().findOne(User, { id: input.userId });
      if (!user || user.status === 'deleted' || request.origin === 'minor') return 'no_address';
      const link = certificateLink(config, input.requestId);
      return sendLoggedMail(
        mail,
        orm.em.fork(),
        {
          dedupeKey: `deletion-done:${input.requestId}`,
          userId: user.id,
          template: 'deletion_done',
          category: 'transactional',
        },
        privacyEmails.deletionDone(user.email, link.url, link.expiresAt),
      );
    },

    /** The profile becomes a placeholder with nothing about the person; the email log goes. */
    async anonymizeProfile(input: { requestId: string; userId: string }): Promise<{ emailLogRows: number }> {
      const request = await loadRequest(input.requestId);
      const em = orm.em.fork();
      return em.transactional(async (tx) => {
        const emailLog = await tx.execute<{ id: unknown }[]>(
          'delete from email_log where user_id = ? returning id',
          [input.userId],
        );
        await tx.execute(
          `update users set email = ?, name = 'Deleted account', email_verified_at = null, password_hash = null,
                  google_subject = null, date_of_birth = null, parent_email = null, parental_consent_at = null,
                  mfa_secret = null, mfa_enabled_at = null, mfa_last_time_step = null, preferences = '{}'::jsonb,
                  restricted_at = null, objected_to_analytics_at = null, objected_to_marketing_at = null,
                  policy_version_accepted = null, policy_accepted_at = null, credit_balance = 0,
                  status = 'deleted', deleted_at = coalesce(deleted_at, now()), updated_at = now()
            where id = ? and status <> 'deleted'`,
          // A random, undeliverable address keeps the column unique and says nothing about anyone.
          [`deleted-${randomUUID()}@deleted.invalid`, input.userId],
        );
        await tx.execute('delete from sessions where user_id = ?', [input.userId]);
        // Free text given with the requests (a support note, corrections) may name the person.
        await tx.execute(`update privacy_requests set details = '{}'::jsonb where user_id = ?`, [
          input.userId,
        ]);
        const [seen] = await tx.execute<{ n: number }[]>(
          `select count(*)::int as n from audit_events where action = 'privacy.profile_anonymized' and details->>'once' = ?`,
          [`anonymized:${input.requestId}`],
        );
        if ((seen?.n ?? 0) === 0) {
          await recordAudit(tx, {
            ...audit(request, 'privacy.profile_anonymized'),
            details: { requestId: request.id, once: `anonymized:${input.requestId}` },
          });
        }
        return { emailLogRows: emailLog.length };
      });
    },

    /**
     * The certificate (stored once per request): every deletion proof of the person's
     * files with its hash, the rows erased, the providers' answers, and the records kept.
     * The recipients ledger is detached from the person in the same transaction.
     */
    async issueDeletionCertificate(input: {
      requestId: string;
      userId: string;
      origin: DeletionOrigin;
      rows: ErasedRows;
      emailLogRows: number;
    }): Promise<{ certificateId: string; certificateHash: string }> {
      const em = orm.em.fork();
      const existing = await em.findOne(DeletionCertificate, { requestId: input.requestId });
      if (existing) return { certificateId: existing.id, certificateHash: existing.certificateHash };
      const request = await loadRequest(input.requestId);
      const proofs = await em.execute<Record<string, unknown>[]>(
        `select id as "proofId", asset_id as "assetId", kind, reason, deleted_at as "deletedAt",
                verified_at as "verifiedAt", verification, object_existed as "objectExisted",
                content_sha256 as "contentSha256", size_bytes as "sizeBytes", record_hash as "recordHash"
           from deletion_proofs where owner_id = ? order by deleted_at, id`,
        [input.userId],
      );
      const recipients = await em.execute<Record<string, unknown>[]>(
        `select provider, job_id as "jobId", sent_at as "sentAt", erasure_outcome as "outcome",
                erasure_completed_at as "at", erasure_detail as "detail"
           from data_recipients where user_id = ? order by sent_at, id`,
        [input.userId],
      );
      const [kept] = await em.execute<{ audit: number; holds: number }[]>(
        `select (select count(*)::int from audit_events where subject_user_id = ?) as audit,
                (select count(*)::int from legal_holds where user_id = ?) as holds`,
        [input.userId, input.userId],
      );
      const completedAt = new Date();
      const contents = {
        certificateVersion: 1,
        requestId: request.id,
        subjectId: input.userId,
        origin: input.origin,
        requestedAt: request.createdAt.toISOString(),
        verifiedAt: request.verifiedAt?.toISOString() ?? null,
        completedAt: completedAt.toISOString(),
        // R-ACCT-90D: everything above had to be done by this time.
        promise: {
          id: 'R-ACCT-90D',
          deadline: new Date(
            request.createdAt.getTime() + config.durations.retentionMs('deletedAccount'),
          ).toISOString(),
        },
        deletedObjects: proofs.map((p) => ({
          ...p,
          deletedAt: iso(p.deletedAt),
          verifiedAt: iso(p.verifiedAt),
          sizeBytes: p.sizeBytes === null ? null : Number(p.sizeBytes),
        })),
        erasedRows: { ...input.rows, emailLog: input.emailLogRows },
        anonymized: { profile: true, jobs: input.rows.jobsAnonymized },
        recipients: recipients.map((r) => ({ ...r, sentAt: iso(r.sentAt), at: iso(r.at) })),
        kept: {
          creditLedgerEntriesDetached: input.rows.ledgerEntriesDetached,
          auditEvents: kept?.audit ?? 0,
          legalHolds: kept?.holds ?? 0,
          deletionProofs: proofs.length,
          why: 'Payment records are kept 7 years for tax law without the person (R-PAY-7Y); the audit log, deletion proofs and legal holds are kept as evidence and name the account only by this id, which no longer leads to anyone.',
        },
      };
      const certificateHash = sha256Hex(canonicalJson(contents));
      const id = randomUUID();
      await em.transactional(async (tx) => {
        await tx.execute(
          `insert into deletion_certificates (id, request_id, subject_id, origin, issued_at, contents, certificate_hash)
           values (?, ?, ?, ?, ?, ?::jsonb, ?) on conflict (request_id) do nothing`,
          [
            id,
            input.requestId,
            input.userId,
            input.origin,
            completedAt,
            JSON.stringify(contents),
            certificateHash,
          ],
        );
        await tx.execute('update data_recipients set user_id = null where user_id = ?', [input.userId]);
      });
      const stored = await orm.em.fork().findOneOrFail(DeletionCertificate, { requestId: input.requestId });
      await auditOnce(
        orm.em.fork(),
        `certificate:${input.requestId}`,
        audit(request, 'privacy.certificate_issued', {
          certificateId: stored.id,
          certificateHash: stored.certificateHash,
        }),
      );
      return { certificateId: stored.id, certificateHash: stored.certificateHash };
    },
  };
}

const iso = (v: unknown) =>
  v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v);

export type DeletionActivities = ReturnType<typeof createDeletionActivities>;
