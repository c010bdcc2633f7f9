// Rights requests (PROMISES.md, section D: D-ACCESS, D-PORT, D-ERASE, D-RECTIFY,
// D-RESTRICT, D-OBJECT, D-CONSENT, D-VERIFY): their vocabulary, the limits of
// verification, every request type's steps and how a step's state moves, and the named
// sizes of an export. The request row keeps its status and its steps side by side
// (D-VERIFY's expiry marks both at once), so the helpers here say what each change
// writes. Pure: safe in workflow code and in the site.
import { DAY, SECOND, MINUTE, days } from './time.ts';

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

// ---------------------------------------------------------------- verification (D-VERIFY)

/** A rights request is confirmed with a code of this many digits, emailed to the account's address. */
export const VERIFICATION_CODE_DIGITS = 6;
/** A code works this long after it was sent (a security limit: never shortened in tests). */
export const VERIFICATION_CODE_TTL_MS = 10 * MINUTE;
/** Wrong codes allowed per code; after that the code is void and a new one must be asked for. */
export const VERIFICATION_MAX_ATTEMPTS = 3;
/** A request nobody verified ends as `expired` this long after it was made (configurable in tests). */
export const UNVERIFIED_REQUEST_TTL_MS = days(7);

/**
 * How long a new request waits for its workflow's start. While Temporal does not answer,
 * the request is kept and answered as made, and the unstarted sweep starts its workflow
 * once Temporal answers (activities/sweeps/unstarted-rights-requests.ts). Before, it
 * waited out the Temporal client's tries (about 5.6 s) and was refused with a 503.
 */
export const REQUEST_START_DEADLINE_MS = 5 * SECOND;

/** Types answered with a copy of the data (D-ACCESS, D-PORT): the data access workflow. */
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
/** A request can be cancelled by its owner only before its processing started (see isCancellable). */
export const CANCELLABLE_REQUEST_STATUSES = [
  'awaiting_verification',
  'verified',
  'paused',
] as const satisfies readonly RequestStatus[];
/** A finished request has no deadline left to count. */
export const isFinished = (status: RequestStatus): boolean =>
  !(OPEN_REQUEST_STATUSES as readonly RequestStatus[]).includes(status);

/** Why a request waits (shown to the user and the legal team). */
export const PAUSE_REASONS = ['legal_hold'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

// ---------------------------------------------------------------- steps

export const STEP_STATES = ['pending', 'running', 'done', 'skipped', 'waiting'] as const;
export type StepState = (typeof STEP_STATES)[number];

/** The data access workflow's steps, in order. */
export const EXPORT_STEPS = ['verify', 'collect', 'archive', 'link', 'notify'] as const;
export type ExportStep = (typeof EXPORT_STEPS)[number];

/** The account deletion workflow's steps, in order (D-ERASE). */
export const DELETION_STEPS = [
  'verify',
  'legal_hold_check',
  // D-SUBSCRIPTION: cancelled at Stripe before anything is erased.
  'cancel_subscriptions',
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

export type StepName = ExportStep | DeletionStep | RightsStep;

/** The state of each step by name, as the request row stores it (a step not named is pending). */
export type StepStates = Partial<Record<StepName, StepState>>;

export interface StepProgress {
  name: string;
  state: StepState;
}

/** A request type's steps, in the order its workflow takes them. */
export function stepsOf(type: RequestType): readonly StepName[] {
  if (type === 'deletion') return DELETION_STEPS;
  return isAccessRequest(type) ? EXPORT_STEPS : RIGHTS_STEPS;
}

/** The step after `step` in a type's workflow, or null for the last. */
export function stepAfter(type: RequestType, step: StepName): StepName | null {
  const steps = stepsOf(type);
  const at = steps.indexOf(step);
  return at >= 0 && at + 1 < steps.length ? steps[at + 1]! : null;
}

/**
 * What verification writes: `verify` done, and for a deletion the legal hold check that
 * its workflow runs at once (R-HOLD), so a request paused by a hold shows that step.
 */
export function verifiedSteps(type: RequestType): StepStates {
  return type === 'deletion' ? { verify: 'done', legal_hold_check: 'running' } : { verify: 'done' };
}

/** The steps of a new request: waiting for its code, or verified from the start (D-MINOR). */
export function initialSteps(type: RequestType, verified = false): StepStates {
  const all = Object.fromEntries(stepsOf(type).map((name) => [name, 'pending'])) as StepStates;
  return verified ? { ...all, ...verifiedSteps(type) } : { ...all, verify: 'waiting' };
}

/** What the claim that starts the processing writes, with the status `in_progress`. */
export function claimedSteps(type: RequestType): StepStates {
  if (type === 'deletion') return { legal_hold_check: 'done', revoke_sessions: 'running' };
  // Collecting is the archive's own reading of the rows: it is done when the archive begins.
  return isAccessRequest(type) ? { collect: 'done', archive: 'running' } : { apply: 'running' };
}

/**
 * The owner can cancel until processing starts: while the request waits for its code, is
 * verified, or is paused before its start. A request paused after it started has a step
 * waiting for the hold's release, and stays under way (R-HOLD: nothing is erased while
 * held, and nothing is given up either).
 */
export function isCancellable(status: RequestStatus, steps: StepStates | null | undefined): boolean {
  if (!(CANCELLABLE_REQUEST_STATUSES as readonly RequestStatus[]).includes(status)) return false;
  return status !== 'paused' || !Object.values(steps ?? {}).includes('waiting');
}

/** Each of a type's steps in order, with its stored state. */
export function orderedSteps(type: RequestType, states: StepStates | null | undefined): StepProgress[] {
  return stepsOf(type).map((name) => ({ name, state: states?.[name] ?? 'pending' }));
}

// ---------------------------------------------------------------- exports (D-ACCESS, D-PORT)

/** Rows read per database round trip while an export streams a category. */
export const EXPORT_PAGE_ROWS = 500;
/**
 * Characters of a category's JSON or CSV handed to the ZIP writer at once. Row by row,
 * each a few hundred bytes, the stream and deflate machinery cost more than the rows:
 * the 10,000 jobs' two entries took 3.5 s of a 20 s export (1.1 s for every category now).
 */
export const EXPORT_CHUNK_CHARS = 64 * 1024;
/** Multipart part size of the archive upload, and parts in flight: memory stays near their product. */
export const EXPORT_PART_BYTES = 8 * 1024 * 1024;
export const EXPORT_PARTS_IN_FLIGHT = 2;
/** An export that stops heartbeating this long is retried on another worker (restarting the archive). */
export const EXPORT_HEARTBEAT_TIMEOUT_MS = 20 * SECOND;

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
 * A person's own requests a page lists, newest first (California allows two access
 * requests a year, so a page is years of them); and the most one page may ask.
 */
export const REQUEST_PAGE_SIZE = 20;
export const REQUEST_LIST_MAX_LIMIT = 100;

/**
 * Requests the legal team's list shows, soonest due first (filtered by status, type or
 * person); and the most one list may ask.
 */
export const LEGAL_REQUEST_LIST_LIMIT = 50;
export const LEGAL_REQUEST_LIST_MAX_LIMIT = 200;
/** A request with fewer days than this left is due soon (the legal dashboard's amber). */
export const DUE_SOON_DAYS = 7;
