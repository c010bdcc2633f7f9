// The rows of a deleted account (D-ERASE, R-ACCT-90D, R-PAY-7Y): erased or anonymized in
// one transaction each, which also marks the step done on the request's row, so a retry
// after a crash finds either nothing done or everything done.
//
// What happens to each kind of data (and why):
// - erased (deleted): sessions (IP, browser), emailed tokens, MFA codes, price quotes,
//   consents, identifying analytics, the email log, script projects (scripts, scenes,
//   revisions), the asset rows (after every object is deleted with its proof), every
//   stored object, moderation review requests, support tickets with their messages
//   (R-SUPPORT-3Y's 3 years are a limit, not a duty: no law asks us to keep them, and
//   their text is the person's own words; a legal hold pauses the whole deletion);
// - anonymized: the profile becomes a placeholder with no email, name, birth date,
//   parent address, password or sign-in link (its row goes at the end); jobs keep only
//   what a transaction record needs (model, provider, credits, times), prompts and
//   inputs erased; requests' free-text details cleared;
// - kept, detached (R-PAY-7Y): credit ledger rows lose the user id, and references that
//   embedded it are replaced by random ones; the remaining balance is expired by a ledger
//   entry, so the ledger still adds up; pack payments, subscriptions (cancelled at Stripe
//   by the first step) and their invoices lose the user id too; incident notices and
//   take-down requests lose the person (owner, reporter, address, answer) and keep their
//   counts and steps;
// - kept, by pseudonym: audit events, deletion proofs (R-PROOF), legal holds (R-HOLD),
//   the certificate and the rights request rows (the legal team's record); the last step
//   (certificate.ts) replaces the account id by the account's pseudonym in them and
//   deletes the profile's row, the only link between the two (KEPT_AFTER_DELETION).
import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { Asset, type RightsRequest } from '../../db/entities/index.ts';
import { writeLedger } from '../../stores/billing.ts';
import { recordAudit } from '../../platform/audit.ts';
import { keyedHash } from '../../platform/crypto.ts';
import { finishStep } from '../../stores/rights-request.ts';
import { deletionAudit, loadDeletionRequest, type DeletionDeps, type DeletionIds } from './request.ts';

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
  /** Reviews erased; incident notices and take-down requests detached (their counts stand). */
  safetyRecords: number;
  /** Absent from figures recorded before subscriptions and tickets existed. */
  subscriptionsDetached?: number;
  invoicesDetached?: number;
  supportTickets?: number;
  creditsExpired: number;
}

/** Rows erased or anonymized, for the request's figures (the expired credits are not rows). */
export const rowsErasedCount = (rows: ErasedRows): number =>
  Object.entries(rows)
    .filter(([k]) => k !== 'creditsExpired')
    .reduce((sum, [, n]) => sum + n, 0);

export function createRowErasureActivities(deps: DeletionDeps) {
  return {
    /**
     * Erases or anonymizes every row about the person except the profile itself (see the
     * list at the top), in one transaction. Refuses while any file is left (their proofs
     * come first).
     */
    eraseAccountRows: (input: DeletionIds) => eraseAccountRows(deps, input),
    /** The profile becomes a placeholder with nothing about the person; the email log goes. */
    anonymizeProfile: (input: DeletionIds) => anonymizeProfile(deps.orm, input),
  };
}

/** The audit event an earlier attempt recorded in its own transaction, when it got that far. */
async function recordedOnce<T>(em: EntityManager, action: string, key: string): Promise<T | null> {
  const [earlier] = await em.execute<{ details: T }[]>(
    `select details from audit_events where action = ? and details->>'once' = ? limit 1`,
    [action, key],
  );
  return earlier?.details ?? null;
}

async function eraseAccountRows(deps: DeletionDeps, input: DeletionIds): Promise<ErasedRows> {
  const request = await loadDeletionRequest(deps.orm, input.requestId);
  const em = deps.orm.em.fork();
  const key = `erased:${input.requestId}`;
  // Done before (the answer was lost with a worker): the figures recorded then stand.
  const earlier = await recordedOnce<{ rows?: ErasedRows }>(em, 'privacy.rows_erased', key);
  if (earlier?.rows) return earlier.rows;
  const left = await em.count(Asset, { user: input.userId, status: { $ne: 'deleted' } });
  if (left > 0) throw new Error(`${left} file(s) still wait for their deletion`);
  return em.transactional(async (tx) => {
    const erased = await eraseRows(tx, deps.config, input);
    if (!(await recordedOnce(tx, 'privacy.rows_erased', key))) {
      // In the same transaction as the erasure, so it is recorded exactly once.
      await recordAudit(
        tx,
        deletionAudit(request, 'privacy.rows_erased', { rows: { ...erased }, once: key }),
      );
    }
    await finishStep(tx, { id: input.requestId }, 'deletion', 'erase_rows', {
      rowsErased: rowsErasedCount(erased),
    });
    return erased;
  });
}

/** The remaining balance is given up at deletion, by a ledger entry (so the ledger adds up). */
async function expireCredits(tx: EntityManager, config: Config, input: DeletionIds): Promise<number> {
  const [balanceRow] = await tx.execute<{ credit_balance: number }[]>(
    'select credit_balance from users where id = ?',
    [input.userId],
  );
  const balance = Number(balanceRow?.credit_balance ?? 0);
  if (balance <= 0) return 0;
  const result = await writeLedger(tx, {
    userId: input.userId,
    kind: 'expire',
    credits: balance,
    // Keyed: the same on every retry, yet it names neither the person nor the request.
    reference: `account-deletion:${keyedHash(config.sessionSecret, 'ledger-detach', input.requestId).slice(0, 40)}`,
    note: 'remaining credits given up when the account was deleted',
  });
  return result.applied ? balance : 0;
}

async function eraseRows(tx: EntityManager, config: Config, input: DeletionIds): Promise<ErasedRows> {
  const { userId } = input;
  const run = async (sql: string, params: unknown[] = [userId]) =>
    (await tx.execute<{ id: unknown }[]>(sql, params)).length;
  const creditsExpired = await expireCredits(tx, config, input);
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
    safetyRecords: await eraseSafetyRecords(run),
    subscriptionsDetached: await run(
      'update subscriptions set user_id = null where user_id = ? returning id',
    ),
    invoicesDetached: await run('update invoices set user_id = null where user_id = ? returning id'),
    // Erased with their messages (see the list at the top).
    supportTickets: await run('delete from support_tickets where user_id = ? returning id'),
    creditsExpired,
  };
  // A staff account: the tickets it handled are others' and stay, without its id.
  await tx.execute('update support_tickets set assigned_to_id = null where assigned_to_id = ?', [userId]);
  await tx.execute('update support_messages set author_id = null where author_id = ?', [userId]);
  await tx.execute('update users set credits_owed = 0 where id = ?', [userId]);
  await tx.execute(`update users set credit_balance = 0 where id = ?`, [userId]);
  await tx.execute(`update rights_requests set details = '{}'::jsonb where user_id = ? and id <> ?`, [
    userId,
    input.requestId,
  ]);
  return erased;
}

/**
 * Trust and safety rows (S-MOD, S-TAKEDOWN, S-BREACH): the person's review requests go (the
 * audit log keeps each decision); an incident's notices and a take-down's record stay for
 * the legal team without the person (no owner, reporter, reporter's address, words or answer).
 */
async function eraseSafetyRecords(run: (sql: string) => Promise<number>): Promise<number> {
  return (
    (await run('delete from moderation_reviews where user_id = ? returning id')) +
    (await run('update incident_notices set user_id = null where user_id = ? returning id')) +
    (await run(
      'update takedown_requests set owner_id = null, answer = null where owner_id = ? returning id',
    )) +
    // The reporter's own words may name them: they go with the account.
    (await run(
      `update takedown_requests set reporter_id = null, reporter_email = null,
              details = '(erased with the reporter''s account)'
        where reporter_id = ? returning id`,
    ))
  );
}

async function anonymizeProfile(orm: MikroORM, input: DeletionIds): Promise<{ emailLogRows: number }> {
  const request: RightsRequest = await loadDeletionRequest(orm, input.requestId);
  return orm.em.fork().transactional(async (tx) => {
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
    await tx.execute(`update rights_requests set details = '{}'::jsonb where user_id = ?`, [input.userId]);
    const key = `anonymized:${input.requestId}`;
    if (!(await recordedOnce(tx, 'privacy.profile_anonymized', key))) {
      await recordAudit(tx, {
        ...deletionAudit(request, 'privacy.profile_anonymized'),
        details: { requestId: request.id, once: key },
      });
    }
    await finishStep(tx, { id: input.requestId }, 'deletion', 'anonymize_profile');
    return { emailLogRows: emailLog.length };
  });
}
