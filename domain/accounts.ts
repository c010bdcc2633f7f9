// Who an account is, what it may do, and the limits that protect it.
import { DAY, HOUR, MINUTE, SECOND } from './time.ts';

export const ROLES = ['creator', 'support', 'legal', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: readonly Role[] = ['support', 'legal', 'operator', 'admin'];
export const isStaff = (role: Role): boolean => STAFF_ROLES.includes(role);

export const ACCOUNT_STATUSES = [
  'active',
  /** A minor waiting for a parent to confirm (D-MINOR). */
  'awaiting_parental_consent',
  /** Collection stopped: found under age without consent, deletion under way (D-MINOR). */
  'suspended_minor',
  'deletion_requested',
  'deleted',
] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** What a person may choose for the site's language and look (their preferences). */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

// ---------------------------------------------------------------- age gate (D-MINOR)

/** Below this age nobody may sign up, with or without consent. */
export const MINIMUM_AGE = 13;
/** From this age no parental consent is needed. */
export const ADULT_AGE = 18;

export type AgeBand = 'under_minimum' | 'minor' | 'adult';

/** Whole years between a date of birth (YYYY-MM-DD) and a day, by the calendar. */
export function ageOn(dateOfBirth: string, on: Date): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  let age = on.getUTCFullYear() - y;
  const beforeBirthday = on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d);
  if (beforeBirthday) age -= 1;
  return age;
}

export function ageBand(dateOfBirth: string, on: Date): AgeBand {
  const age = ageOn(dateOfBirth, on);
  if (age < MINIMUM_AGE) return 'under_minimum';
  if (age < ADULT_AGE) return 'minor';
  return 'adult';
}

// ---------------------------------------------------------------- credentials

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
export const NAME_MAX_LENGTH = 200;
export const EMAIL_MAX_LENGTH = 320;

/**
 * argon2id cost (OWASP's second recommended profile: 19 MiB, 2 passes, 1 lane); the
 * sign-in latency it costs is measured by bench/auth.ts.
 */
export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// ---------------------------------------------------------------- sessions (R-COOKIE, R-SESSION-30D)

/** A session ends after this long without use. */
export const SESSION_IDLE_TIMEOUT_MS = 24 * HOUR;
/** …and after this long in any case. */
export const SESSION_ABSOLUTE_TIMEOUT_MS = 7 * DAY;
/** Last-seen times are written at most this often, to keep reads cheap. */
export const SESSION_TOUCH_INTERVAL_MS = 5 * MINUTE;
/**
 * How long an API process may answer a repeated read (a job page's status) from a
 * session it holds (api/auth/session-cache.ts). Every change is announced and forgets it
 * at once; this bounds the rare case of a listening connection lost without a sign.
 */
export const SESSION_CACHE_TTL_MS = 30 * SECOND;
/** How many sessions one API process holds at most (the oldest go first). */
export const SESSION_CACHE_MAX_ENTRIES = 10_000;

// ---------------------------------------------------------------- emailed tokens

export const TOKEN_PURPOSES = [
  'verify_email',
  'reset_password',
  'parental_consent',
  'staff_enrolment',
] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];
export const TOKEN_TTL_MS: Readonly<Record<TokenPurpose, number>> = {
  verify_email: 2 * DAY,
  reset_password: HOUR,
  parental_consent: 7 * DAY,
  /** A new staff member's first password (`npm run admin`); handed over by a person, not emailed. */
  staff_enrolment: 3 * DAY,
};

/**
 * An account awaiting a parent's confirmation is deleted, keeping nothing, when this
 * passes without it (D-MINOR): as long as the parent's link works.
 */
export const PARENTAL_CONSENT_PERIOD_MS = TOKEN_TTL_MS.parental_consent;

/**
 * How long a minor's sign-up waits for Temporal to start the account's timer. Not started
 * in time, the account is created all the same and the timer's start kept for the
 * unstarted sweep (activities/sweeps/unstarted-parental-consents.ts). Before, the account
 * was removed and the person asked to try again, after the Temporal client's tries (about
 * 5.6 s), with the email confirming their address already sent.
 */
export const PARENTAL_CONSENT_START_DEADLINE_MS = 5 * SECOND;

/**
 * What is left of the parent's period for an account created at `createdAt`: a timer
 * started late (after an outage) ends when one started at sign-up would have.
 */
export const parentalConsentLeftMs = (createdAt: Date, now: Date, periodMs: number): number =>
  Math.max(0, createdAt.getTime() + periodMs - now.getTime());

// ---------------------------------------------------------------- MFA (S-MFA)

export const RECOVERY_CODE_COUNT = 10;
/** TOTP codes from the step before and after are accepted, for clock drift. */
export const TOTP_WINDOW_STEPS = 1;

// ---------------------------------------------------------------- rate limits (S-RATE)

export interface RateLimitRule {
  /** Requests allowed per window and key. */
  limit: number;
  windowMs: number;
}

export const RATE_LIMITS = {
  signIn: { limit: 10, windowMs: 15 * MINUTE },
  signUp: { limit: 5, windowMs: HOUR },
  passwordReset: { limit: 5, windowMs: HOUR },
  verification: { limit: 10, windowMs: HOUR },
  mfa: { limit: 10, windowMs: 15 * MINUTE },
  generation: { limit: 60, windowMs: MINUTE },
  upload: { limit: 60, windowMs: 10 * MINUTE },
  /** Take-down requests, which anyone may file (S-TAKEDOWN). */
  report: { limit: 10, windowMs: HOUR },
} as const satisfies Record<string, RateLimitRule>;

/**
 * Failed sign-ins for one email address before it is locked, and how long the lock
 * lasts (doubling with each further failure, up to the maximum).
 */
export const SIGN_IN_LOCKOUT = {
  freeFailures: 5,
  firstLockMs: MINUTE,
  maxLockMs: HOUR,
  /** Failures older than this no longer count. */
  windowMs: DAY,
} as const;

/** Lock length after `failures` consecutive failed sign-ins; 0 while below the threshold. */
export function lockoutMs(failures: number): number {
  const over = failures - SIGN_IN_LOCKOUT.freeFailures;
  if (over < 0) return 0;
  return Math.min(SIGN_IN_LOCKOUT.firstLockMs * 2 ** over, SIGN_IN_LOCKOUT.maxLockMs);
}

/**
 * Accounts a staff search shows (by email or role): a search narrows, so one page is
 * enough; and the most one search may ask.
 */
export const STAFF_USER_SEARCH_LIMIT = 25;
export const STAFF_USER_SEARCH_MAX_LIMIT = 100;
