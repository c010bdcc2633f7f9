// Telling others that an account is deleted: every provider that received one of the
// person's jobs is asked to erase it and its answer is recorded (D-RECIPIENTS), and the
// person gets their last email with the certificate's signed link (they can no longer
// sign in). Each finishes its step on the request's row.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import type { Config } from '../../config/index.ts';
import { DataRecipient, User } from '../../db/entities/index.ts';
import {
  CERTIFICATE_LINK_TTL_MS,
  DELETION_HEARTBEAT_EVERY_MS,
  ERASURE_NOTICE_ATTEMPTS,
  type ErasureOutcome,
} from '../../domain/account-deletion.ts';
import type { ProviderName } from '../../domain/models.ts';
import { signLink } from '../../platform/links.ts';
import { createProviderAdapters } from '../../providers/index.ts';
import { ProviderError, type ProviderAdapter } from '../../providers/types.ts';
import { privacyEmails, sendLoggedMail, type MailResult } from '../../stores/mail.ts';
import { mailDeliverBy } from '../mail-window.ts';
import { auditOnce, finishStep } from '../../stores/rights-request.ts';
import { heartbeat } from '../heartbeat.ts';
import { deletionAudit, loadDeletionRequest, type DeletionDeps, type DeletionIds } from './request.ts';

export interface RecipientNotices {
  sent: number;
  outcomes: Record<ErasureOutcome, number>;
}

/** The emailed certificate link: it works CERTIFICATE_LINK_TTL_MS from now. */
export function certificateLink(config: Config, requestId: string, now = Date.now()) {
  const expiresAt = now + CERTIFICATE_LINK_TTL_MS;
  const token = signLink(config.sessionSecret, 'certificate', requestId, expiresAt);
  return {
    // The site's page shows the certificate (and fetches it from the API with the same token).
    url: `${config.web.publicUrl}/privacy/requests/${requestId}/certificate?token=${encodeURIComponent(token)}`,
    expiresAt: new Date(expiresAt),
  };
}

export function createRecipientActivities(deps: DeletionDeps) {
  const adapters = createProviderAdapters(deps.config.providers);
  return {
    /**
     * D-RECIPIENTS: asks every provider that received one of the person's jobs to erase
     * it (`deleteTask`) and records each answer in the recipients ledger. A notice is
     * marked before it is sent, so a retry knows one may have gone out; a provider that
     * then answers "not found" had already erased it, and the outcome stays `deleted`.
     */
    sendErasureNotices: (input: DeletionIds) => sendErasureNotices(deps.orm, adapters, input),
    /**
     * The last email to the person: their account is deleted, and where the certificate
     * is. Sent just before the address itself is erased; a minor's goes to nobody but the
     * parent, who was told at the start.
     */
    sendDeletionNotice: (input: DeletionIds) => sendDeletionNotice(deps, input),
  };
}

type Adapters = ReturnType<typeof createProviderAdapters>;

async function sendErasureNotices(
  orm: MikroORM,
  adapters: Adapters,
  input: DeletionIds,
): Promise<RecipientNotices> {
  const em = orm.em.fork();
  const rows = await em.find(
    DataRecipient,
    { userId: input.userId, erasureOutcome: null },
    { orderBy: { sentAt: 'asc', id: 'asc' } },
  );
  for (const row of rows) {
    const { outcome, detail } = await noticeOutcome(em, adapters, row);
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
  const outcomes: Record<ErasureOutcome, number> = { deleted: 0, not_found: 0, not_supported: 0, failed: 0 };
  for (const r of all) if (r.erasureOutcome) outcomes[r.erasureOutcome]++;
  const request = await loadDeletionRequest(orm, input.requestId);
  await auditOnce(
    em,
    `notices:${input.requestId}`,
    deletionAudit(request, 'privacy.erasure_notices_sent', { outcomes }),
  );
  await finishStep(em, { id: input.requestId }, 'deletion', 'notify_recipients', {
    erasureNotices: all.length,
  });
  return { sent: all.length, outcomes };
}

/** One provider's answer to one notice, sent (again) unless it cannot be. */
async function noticeOutcome(
  em: EntityManager,
  adapters: Adapters,
  row: DataRecipient,
): Promise<{ outcome: ErasureOutcome; detail: string | null }> {
  const adapter = adapters[row.provider as Exclude<ProviderName, 'local'>] as ProviderAdapter | undefined;
  if (!adapter) return { outcome: 'failed', detail: 'provider_not_configured' };
  if (!adapter.deleteTask) return { outcome: 'not_supported', detail: null };
  const retried = row.erasureRequestedAt !== null && row.erasureRequestedAt !== undefined;
  await em.nativeUpdate(
    DataRecipient,
    { id: row.id, erasureRequestedAt: null },
    { erasureRequestedAt: new Date() },
  );
  try {
    const answer = await whileBeating({ notice: row.id }, () => adapter.deleteTask!(row.providerTaskId));
    if (answer === 'not_found' && retried)
      return { outcome: 'deleted', detail: 'gone when the notice was repeated' };
    return { outcome: answer, detail: null };
  } catch (err) {
    const transient = err instanceof ProviderError ? err.retryable || err.outcomeUnknown : true;
    // A transient failure is retried with the activity (rows done are skipped);
    // after the last try, or for a permanent refusal, the failure is recorded.
    if (transient && attempt() < ERASURE_NOTICE_ATTEMPTS) throw err;
    return { outcome: 'failed', detail: err instanceof ProviderError ? err.code : 'error' };
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

/** This attempt's number (1 outside an activity: tests call some directly). */
function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

async function sendDeletionNotice(
  deps: DeletionDeps,
  input: DeletionIds,
): Promise<MailResult | 'no_address'> {
  const request = await loadDeletionRequest(deps.orm, input.requestId);
  const user = await deps.orm.em.fork().findOne(User, { id: input.userId });
  let result: MailResult | 'no_address' = 'no_address';
  if (user && user.status !== 'deleted' && request.origin !== 'minor') {
    const link = certificateLink(deps.config, input.requestId);
    result = await sendLoggedMail(
      deps,
      deps.orm.em.fork(),
      {
        dedupeKey: `deletion-done:${input.requestId}`,
        userId: user.id,
        template: 'deletion_done',
        category: 'transactional',
        deliverBy: mailDeliverBy(deps.config),
      },
      privacyEmails.deletionDone(user.email, link.url, link.expiresAt),
    );
  }
  await finishStep(deps.orm.em.fork(), { id: input.requestId }, 'deletion', 'final_notice');
  return result;
}
