// Account deletion (D-ERASE, R-ACCT-90D, D-RECIPIENTS, D-MINOR): why an account is
// deleted, what a provider may answer to an erasure notice, and the named durations of
// the `account-deletion-<userId>` workflow. Pure: safe in workflow code and in the site.
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

/** How long the emailed link to a deletion certificate works (the account itself is gone). */
export const CERTIFICATE_LINK_TTL_MS = days(30);

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
