// The statutory clock for rights requests (PROMISES.md D-CLOCK, D-CCPA-2X).
//
// Temporal workflow code imports this module, so it must stay deterministic: no
// Date.now(), no time zones, no randomness. Every function takes the instants it needs
// as arguments, and all calendar arithmetic is done in UTC so that the same request
// gets the same deadline on every worker.
import type { Jurisdiction, RequestStatus } from './rights-request.ts';
import { DAY, days } from './time.ts';

/** GDPR Art. 12(3): answer within one month of receipt (here: of verification). */
export const GDPR_RESPONSE_MONTHS = 1;
/** GDPR Art. 12(3): the period may be extended once by up to two further months. */
export const GDPR_MAX_EXTENSION_MONTHS = 2;
/** CCPA (Cal. Civ. Code 1798.130(a)(2)): answer within 45 days of receipt. */
export const CCPA_RESPONSE_DAYS = 45;
/** CCPA: extendable once by a further 45 days when reasonably necessary. */
export const CCPA_EXTENSION_DAYS = 45;
/** CCPA 1798.100(d): access/portability need not be given more than twice ... */
export const CCPA_ACCESS_LIMIT = 2;
/** ... in a 12-month period. */
export const CCPA_ACCESS_WINDOW_MONTHS = 12;

/** The legal rule a jurisdiction's requests are timed by. */
export type StatutoryRule = 'GDPR' | 'CCPA';

export function ruleFor(jurisdiction: Jurisdiction): StatutoryRule {
  switch (jurisdiction) {
    case 'CCPA':
      return 'CCPA';
    case 'GDPR':
      return 'GDPR';
    case 'other':
      // No specific law applies, so we keep the stricter promise: one month is never
      // longer than 45 days, and the GDPR extension demands a notice within that month.
      return 'GDPR';
  }
}

function daysInUtcMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/**
 * The same day-of-month and time of day `n` calendar months later (UTC). When the target
 * month is too short, the last day of that month (31 January + 1 -> 28/29 February), which
 * is how Art. 12(3) "one month" is read (Regulation 1182/71, Art. 3(2)(c)).
 */
export function addCalendarMonths(date: Date, n: number): Date {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new RangeError('addCalendarMonths: invalid date');
  if (!Number.isInteger(n)) throw new RangeError(`addCalendarMonths: ${n} is not a whole number of months`);
  const timeOfDay = ((t % DAY) + DAY) % DAY;
  const monthIndex = date.getUTCFullYear() * 12 + date.getUTCMonth() + n;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const day = Math.min(date.getUTCDate(), daysInUtcMonth(year, month));
  return new Date(Date.UTC(year, month, day) + timeOfDay);
}

/** The original statutory deadline of a request verified at `verifiedAt`. */
export function dueDate(jurisdiction: Jurisdiction, verifiedAt: Date): Date {
  return ruleFor(jurisdiction) === 'CCPA'
    ? new Date(verifiedAt.getTime() + days(CCPA_RESPONSE_DAYS))
    : addCalendarMonths(verifiedAt, GDPR_RESPONSE_MONTHS);
}

/** The deadline currently in force: the extended one if there is one. */
export function effectiveDueAt(request: { dueAt: Date; extendedDueAt?: Date | null }): Date {
  return request.extendedDueAt ?? request.dueAt;
}

/**
 * Whole days until `dueAt`, rounded down: 0 means less than a day is left, and the result
 * is negative exactly when `now` is past the deadline (so "overdue" is simply `< 0`).
 */
export function daysLeft(dueAt: Date, now: Date): number {
  return Math.floor((dueAt.getTime() - now.getTime()) / DAY);
}

export type ExtensionErrorCode = 'already_extended' | 'invalid_extension' | 'reason_required' | 'too_late';

export interface ExtensionInput {
  jurisdiction: Jurisdiction;
  /** The original deadline, as returned by dueDate(). */
  dueAt: Date;
  /** Set when the request was already extended: the law allows one extension only. */
  extendedDueAt?: Date | null;
  now: Date;
  /** GDPR only: 1 or 2 further months (default 2). CCPA extensions are always 45 days. */
  months?: number;
  /** Why the extension is needed; the law requires it to be told to the user. */
  reason: string;
}

export type ExtensionResult =
  | {
      ok: true;
      extendedDueAt: Date;
      /** The user must be told of the extension and its reason; the workflow sends it. */
      noticeRequired: true;
      /** The notice must go out within the original period, i.e. before this instant. */
      noticeDueBy: Date;
    }
  | { ok: false; code: ExtensionErrorCode; message: string };

/** Extends a request's deadline once, if the law allows it at `now`. */
export function extendDeadline(input: ExtensionInput): ExtensionResult {
  const { jurisdiction, dueAt, extendedDueAt, now, months, reason } = input;
  const rule = ruleFor(jurisdiction);
  if (extendedDueAt) {
    return { ok: false, code: 'already_extended', message: 'The deadline can be extended only once.' };
  }
  if (rule === 'CCPA' && months !== undefined) {
    return {
      ok: false,
      code: 'invalid_extension',
      message: `A CCPA extension is ${CCPA_EXTENSION_DAYS} days; months do not apply.`,
    };
  }
  const extensionMonths = months ?? GDPR_MAX_EXTENSION_MONTHS;
  if (
    rule === 'GDPR' &&
    (!Number.isInteger(extensionMonths) || extensionMonths < 1 || extensionMonths > GDPR_MAX_EXTENSION_MONTHS)
  ) {
    return {
      ok: false,
      code: 'invalid_extension',
      message: `A GDPR extension is 1 to ${GDPR_MAX_EXTENSION_MONTHS} months, not ${extensionMonths}.`,
    };
  }
  if (reason.trim() === '') {
    return { ok: false, code: 'reason_required', message: 'An extension needs a reason to tell the user.' };
  }
  // Both laws require the extension (and its notice) within the original period, so the
  // original deadline itself is already too late.
  if (now.getTime() >= dueAt.getTime()) {
    return {
      ok: false,
      code: 'too_late',
      message: 'The original period has ended; it can no longer be extended.',
    };
  }
  // Counted from the original deadline; for GDPR with the same end-of-month rule.
  const extended =
    rule === 'CCPA'
      ? new Date(dueAt.getTime() + days(CCPA_EXTENSION_DAYS))
      : addCalendarMonths(dueAt, extensionMonths);
  return { ok: true, extendedDueAt: extended, noticeRequired: true, noticeDueBy: dueAt };
}

/**
 * Which statuses use up one of the two yearly CCPA access requests. A Record (not a list)
 * so that adding a status to rights-request.ts forces a decision here at compile time.
 */
export const COUNTS_TOWARDS_CCPA_LIMIT: Readonly<Record<RequestStatus, boolean>> = Object.freeze({
  // Pending ones count, or a user could open many at once and verify them all.
  awaiting_verification: true,
  verified: true,
  in_progress: true,
  paused: true,
  completed: true,
  // Nothing was (or will be) disclosed for these, so they do not use up the allowance.
  rejected: false,
  expired: false,
  cancelled: false,
});

export interface PreviousAccessRequest {
  /** When the request was received. */
  at: Date;
  status: RequestStatus;
}

export type CaliforniaAccessDecision =
  | { allowed: true; /** requests still allowed now, including this one */ remaining: number }
  | { allowed: false; nextAllowedAt: Date };

/**
 * D-CCPA-2X: may a California user make another access/portability request at `now`?
 * `previous` holds their earlier CCPA access and portability requests. A request counts
 * for 12 calendar months after it was received (until addCalendarMonths(at, 12), exclusive),
 * so `nextAllowedAt` is exactly the first instant at which the answer becomes yes.
 */
export function canMakeCaliforniaAccessRequest(
  previous: readonly PreviousAccessRequest[],
  now: Date,
): CaliforniaAccessDecision {
  const countingUntil = previous
    .filter((r) => COUNTS_TOWARDS_CCPA_LIMIT[r.status])
    .map((r) => addCalendarMonths(r.at, CCPA_ACCESS_WINDOW_MONTHS).getTime())
    .filter((until) => until > now.getTime())
    .sort((a, b) => a - b);
  const excess = countingUntil.length - CCPA_ACCESS_LIMIT;
  if (excess < 0) return { allowed: true, remaining: -excess };
  // One slot frees up each time a request leaves its window; we need excess + 1 of them.
  return { allowed: false, nextAllowedAt: new Date(countingUntil[excess]!) };
}
