// Account deletion (D-ERASE, R-ACCT-90D, D-RECIPIENTS, D-MINOR): why an account is
// deleted, what a provider may answer to an erasure notice, and the named durations of
// the `account-deletion-<pseudonym>` workflow. Pure: safe in workflow code and in the site.
import { DAY, SECOND, days } from './time.ts';

/** Why an account is deleted: the owner asked, or support found an under-age user (D-MINOR). */
export const DELETION_ORIGINS = ['user', 'minor'] as const;
export type DeletionOrigin = (typeof DELETION_ORIGINS)[number];

/** Outcomes of an erasure notice to a provider that received a user's data (D-RECIPIENTS). */
export const ERASURE_OUTCOMES = ['deleted', 'not_found', 'not_supported', 'failed'] as const;
export type ErasureOutcome = (typeof ERASURE_OUTCOMES)[number];

/** How often a paused deletion re-reads the holds itself, in case a release signal was lost. */
export const DELETION_HOLD_RECHECK_MS = DAY;
/** How often the deletion workflow looks whether every asset deletion has its proof. */
export const ASSET_PROOF_POLL_MS = 2 * SECOND;
/**
 * A deletion step that stops heartbeating this long is retried on another worker (it
 * resumes: every step skips what is done). Its activities heartbeat at least every
 * DELETION_HEARTBEAT_EVERY_MS, also while they wait for a provider's answer.
 */
export const DELETION_HEARTBEAT_TIMEOUT_MS = 20 * SECOND;
export const DELETION_HEARTBEAT_EVERY_MS = 5 * SECOND;
/** Tries a provider gets before its erasure notice is recorded as failed (transient errors only). */
export const ERASURE_NOTICE_ATTEMPTS = 5;

/** A record an account deletion keeps, why, and for how long after the deletion (null: no end). */
export interface KeptRecord {
  record: string;
  /** How the record refers to the person once the account is gone. */
  refersBy: 'pseudonym' | 'nothing';
  reason: string;
  keepMs: number | null;
}

const YEAR_MS = days(365);
/** The record of a deleted person's rights requests: CCPA regulations § 7101 ask for 24 months. */
export const RIGHTS_REQUEST_RECORD_KEEP_MS = 2 * YEAR_MS;
/** A released legal hold on a deleted account, as evidence of the hold. */
export const LEGAL_HOLD_RECORD_KEEP_MS = 7 * YEAR_MS;

/**
 * Everything an account deletion keeps: the README's table and every certificate list
 * these, with the end date each gives. The pseudonym is drawn at random for the account
 * and linked to it only by the account's row, which the deletion removes.
 */
export const KEPT_AFTER_DELETION: readonly KeptRecord[] = [
  {
    record: 'audit_events',
    refersBy: 'pseudonym',
    reason: 'append-only, hash-chained evidence of what was done and by whom (S-AUDIT)',
    keepMs: 7 * YEAR_MS,
  },
  {
    record: 'deletion_proofs',
    refersBy: 'pseudonym',
    reason: 'proof that each file is gone (R-PROOF)',
    keepMs: 7 * YEAR_MS,
  },
  {
    record: 'deletion_certificates',
    refersBy: 'pseudonym',
    reason: 'the certificate of this deletion, for the person and the authority (D-ERASE)',
    keepMs: 7 * YEAR_MS,
  },
  {
    record: 'rights_requests',
    refersBy: 'pseudonym',
    reason:
      'the record of the requests and how they were answered, details cleared (CCPA regulations § 7101: 24 months)',
    keepMs: RIGHTS_REQUEST_RECORD_KEEP_MS,
  },
  {
    record: 'legal_holds',
    refersBy: 'pseudonym',
    reason: 'the record of a hold placed on the account (R-HOLD)',
    keepMs: LEGAL_HOLD_RECORD_KEEP_MS,
  },
  {
    record: 'credit_ledger, payments, subscriptions, invoices, generation_jobs',
    refersBy: 'nothing',
    reason: 'transaction records for tax law, detached, prompts and inputs erased (R-PAY-7Y)',
    keepMs: 7 * YEAR_MS,
  },
  {
    record: 'incident_notices, takedown_requests',
    refersBy: 'nothing',
    reason: "the incident's and the take-down's own record and counts, detached",
    keepMs: 7 * YEAR_MS,
  },
];

/** How long the emailed link to a deletion certificate works (the account itself is gone). */
export const CERTIFICATE_LINK_TTL_MS = days(30);

/**
 * Certificates the legal team's page lists at a time, newest first (one per deleted
 * account: many a day at scale); and the most one page may ask.
 */
export const CERTIFICATE_LIST_LIMIT = 50;
export const CERTIFICATE_LIST_MAX_LIMIT = 200;

/**
 * The certificate's hash is taken over one canonical form of its contents: JSON with the
 * keys of every object sorted, so anyone can recompute it from the stored contents.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
