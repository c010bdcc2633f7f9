// Rights requests (PROMISES.md, section D): their vocabulary, the limits of verification,
// the workflows' steps and the named durations they use. Pure: safe in workflow code.
import { DAY, MINUTE, SECOND, days } from './time.ts';

export const REQUEST_TYPES = [
  'access',
  'portability',
  'deletion',
  'rectification',
  'restriction',
  'objection',
  'consent_withdrawal',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const JURISDICTIONS = ['GDPR', 'CCPA', 'other'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

export const REQUEST_STATUSES = [
  'awaiting_verification',
  'verified',
  'in_progress',
  'paused',
  'completed',
  'rejected',
  'expired',
  'cancelled',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const CONSENT_PURPOSES = ['analytics', 'marketing_email'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

// ---------------------------------------------------------------- verification (D-VERIFY)

/** A rights request is confirmed with a code of this many digits, emailed to the account's address. */
export const VERIFICATION_CODE_DIGITS = 6;
/** A code works this long after it was sent (not scaled in tests: it is a security limit, not a retention). */
export const VERIFICATION_CODE_TTL_MS = 10 * MINUTE;
/** Wrong codes allowed per code; after that the code is void and a new one must be asked for. */
export const VERIFICATION_MAX_ATTEMPTS = 3;
/** A request nobody verified ends as `expired` this long after it was made (scaled by TIME_SCALE in tests). */
export const UNVERIFIED_REQUEST_TTL_MS = days(7);

/** Types handled by the data access workflow (`dsar-<id>`): a copy of the data (D-ACCESS, D-PORT). */
export const ACCESS_REQUEST_TYPES = ['access', 'portability'] as const satisfies readonly RequestType[];
export const isAccessRequest = (type: RequestType): boolean =>
  (ACCESS_REQUEST_TYPES as readonly RequestType[]).includes(type);

/** Statuses in which a request is still open (not finished one way or another). */
export const OPEN_REQUEST_STATUSES = [
  'awaiting_verification',
  'verified',
  'in_progress',
  'paused',
] as const satisfies readonly RequestStatus[];
/** A request can be cancelled by its owner only before its processing started. */
export const CANCELLABLE_REQUEST_STATUSES = [
  'awaiting_verification',
  'verified',
  'paused',
] as const satisfies readonly RequestStatus[];

/** Why an account is deleted: the owner asked, or support found an under-age user (D-MINOR). */
export const DELETION_ORIGINS = ['user', 'minor'] as const;
export type DeletionOrigin = (typeof DELETION_ORIGINS)[number];

/** Why a request waits (shown to the user and the legal team). */
export const PAUSE_REASONS = ['legal_hold'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

// ---------------------------------------------------------------- workflow steps (progress queries)

export const STEP_STATES = ['pending', 'running', 'done', 'skipped', 'waiting'] as const;
export type StepState = (typeof STEP_STATES)[number];

/** The data access workflow's steps, in order. */
export const EXPORT_STEPS = ['verify', 'collect', 'archive', 'link', 'notify'] as const;
export type ExportStep = (typeof EXPORT_STEPS)[number];

/** The account deletion workflow's steps, in order (D-ERASE). */
export const DELETION_STEPS = [
  'verify',
  'legal_hold_check',
  'revoke_sessions',
  'cancel_jobs',
  'delete_assets',
  'erase_rows',
  'notify_recipients',
  'final_notice',
  'anonymize_profile',
  'certificate',
] as const;
export type DeletionStep = (typeof DELETION_STEPS)[number];

/** The other rights requests' steps (rectification, restriction, objection, consent withdrawal). */
export const RIGHTS_STEPS = ['verify', 'apply', 'notify'] as const;
export type RightsStep = (typeof RIGHTS_STEPS)[number];

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

// ---------------------------------------------------------------- exports (D-ACCESS, D-PORT)

/** Rows read per database round trip while an export streams a category. */
export const EXPORT_PAGE_ROWS = 500;
/** Multipart part size of the archive upload, and parts in flight: memory stays near their product. */
export const EXPORT_PART_BYTES = 8 * 1024 * 1024;
export const EXPORT_PARTS_IN_FLIGHT = 2;
/** An export that stops heartbeating this long is retried on another worker (restarting the archive). */
export const EXPORT_HEARTBEAT_TIMEOUT_MS = 20 * SECOND;

// ---------------------------------------------------------------- certificates and mail

/** How long the emailed link to a deletion certificate works (the account itself is gone). */
export const CERTIFICATE_LINK_TTL_MS = days(30);
/** How long an unsubscribe link in a marketing email works. */
export const UNSUBSCRIBE_LINK_TTL_MS = days(365);

/** Outcomes of an erasure notice to a provider that received a user's data (D-RECIPIENTS). */
export const ERASURE_OUTCOMES = ['deleted', 'not_found', 'not_supported', 'failed'] as const;
export type ErasureOutcome = (typeof ERASURE_OUTCOMES)[number];

/** Email categories: marketing needs opt-in and carries an unsubscribe link (D-UNSUB); transactional does not. */
export const EMAIL_CATEGORIES = ['transactional', 'marketing'] as const;
export type EmailCategory = (typeof EMAIL_CATEGORIES)[number];

/** Users emailed per activity call by an announcement (policy change, marketing). */
export const ANNOUNCEMENT_BATCH_SIZE = 200;

// ---------------------------------------------------------------- sweeps (R-ANALYTICS-12M, R-SUPPORT-3Y)

/** How often identifying analytics past 12 months are aggregated and deleted. */
export const ANALYTICS_SWEEP_INTERVAL_MS = DAY;
/** How often the email log past its 2 years is deleted. */
export const EMAIL_LOG_SWEEP_INTERVAL_MS = DAY;
/** Rows handled per transaction by the privacy sweeps. */
export const PRIVACY_SWEEP_BATCH_SIZE = 1000;

/** Stable ids, so an operator finds each schedule in the Web UI (apart from the storage `sweep-*` ones). */
export const PRIVACY_SCHEDULE_IDS = {
  analyticsSweep: 'privacy-sweep-analytics',
  emailLogSweep: 'privacy-sweep-email-log',
} as const;

// ---------------------------------------------------------------- pure helpers

/** Days left until the effective deadline, or null before verification started the clock. */
export function requestDaysLeft(
  request: { dueAt?: Date | null; extendedDueAt?: Date | null },
  now: Date,
): number | null {
  const due = request.extendedDueAt ?? request.dueAt;
  if (!due) return null;
  return Math.floor((due.getTime() - now.getTime()) / DAY);
}

/**
 * D-POLICY: must this user accept a policy version before going on? Yes when the newest
 * version that needs consent was published after the account was made (sign-up accepts
 * the policy in force then) and after the user last accepted a version.
 */
export function policyAcceptanceRequired(
  user: { createdAt: Date; policyAcceptedAt?: Date | null },
  latestRequiringConsent: { version: string; publishedAt: Date } | null,
): boolean {
  if (!latestRequiringConsent) return false;
  const since = Math.max(user.createdAt.getTime(), user.policyAcceptedAt?.getTime() ?? 0);
  return since < latestRequiringConsent.publishedAt.getTime();
}
