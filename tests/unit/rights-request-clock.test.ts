import { describe, expect, it } from 'vitest';
import type { RequestStatus } from '../../domain/rights-request.ts';
import {
  addCalendarMonths,
  canMakeCaliforniaAccessRequest,
  CCPA_ACCESS_LIMIT,
  CCPA_ACCESS_WINDOW_MONTHS,
  CCPA_EXTENSION_DAYS,
  CCPA_RESPONSE_DAYS,
  daysLeft,
  dueDate,
  effectiveDueAt,
  extendDeadline,
  GDPR_MAX_EXTENSION_MONTHS,
  GDPR_RESPONSE_MONTHS,
  ruleFor,
} from '../../domain/rights-request-clock.ts';
import { DAY, HOUR, MINUTE } from '../../domain/time.ts';

const at = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();

describe('statutory periods', () => {
  it('[D-CLOCK] holds the production periods: GDPR 1 + 2 months, CCPA 45 + 45 days', () => {
    expect(GDPR_RESPONSE_MONTHS).toBe(1);
    expect(GDPR_MAX_EXTENSION_MONTHS).toBe(2);
    expect(CCPA_RESPONSE_DAYS).toBe(45);
    expect(CCPA_EXTENSION_DAYS).toBe(45);
  });

  it('[D-CCPA-2X] holds the production limit: two requests per 12 months', () => {
    expect(CCPA_ACCESS_LIMIT).toBe(2);
    expect(CCPA_ACCESS_WINDOW_MONTHS).toBe(12);
  });
});

describe('GDPR due date (one calendar month)', () => {
  const cases: [string, string, string][] = [
    ['31 January (non-leap year) until 28 February', '2026-01-31T09:00:00.000Z', '2026-02-28T09:00:00.000Z'],
    ['31 January (leap year) until 29 February', '2028-01-31T09:00:00.000Z', '2028-02-29T09:00:00.000Z'],
    ['30 January (non-leap year) until 28 February', '2026-01-30T09:00:00.000Z', '2026-02-28T09:00:00.000Z'],
    ['30 January (leap year) until 29 February', '2028-01-30T09:00:00.000Z', '2028-02-29T09:00:00.000Z'],
    ['29 February until 29 March', '2028-02-29T09:00:00.000Z', '2028-03-29T09:00:00.000Z'],
    ['31 March until 30 April', '2026-03-31T09:00:00.000Z', '2026-04-30T09:00:00.000Z'],
    ['30 April until 30 May', '2026-04-30T09:00:00.000Z', '2026-05-30T09:00:00.000Z'],
    ['15 December until 15 January of the next year', '2026-12-15T09:00:00.000Z', '2027-01-15T09:00:00.000Z'],
  ];
  for (const [name, verified, due] of cases) {
    it(`[D-CLOCK] gives a request verified on ${name}`, () => {
      expect(iso(dueDate('GDPR', at(verified)))).toBe(due);
    });
  }

  it('[D-CLOCK] keeps the time of day, to the millisecond, including just before midnight', () => {
    expect(iso(dueDate('GDPR', at('2026-01-31T23:59:59.999Z')))).toBe('2026-02-28T23:59:59.999Z');
    expect(iso(dueDate('GDPR', at('2026-05-01T00:00:00.000Z')))).toBe('2026-06-01T00:00:00.000Z');
  });

  it("[D-CLOCK] times the 'other' jurisdiction by the stricter GDPR rule", () => {
    expect(ruleFor('other')).toBe('GDPR');
    expect(iso(dueDate('other', at('2026-01-31T09:00:00.000Z')))).toBe('2026-02-28T09:00:00.000Z');
  });

  it('[D-CLOCK] adds and subtracts calendar months across years, refusing fractions', () => {
    expect(iso(addCalendarMonths(at('2026-11-30T12:00:00.000Z'), 3))).toBe('2027-02-28T12:00:00.000Z');
    expect(iso(addCalendarMonths(at('2026-03-31T12:00:00.000Z'), -1))).toBe('2026-02-28T12:00:00.000Z');
    expect(iso(addCalendarMonths(at('2026-01-15T12:00:00.000Z'), -12))).toBe('2025-01-15T12:00:00.000Z');
    expect(iso(addCalendarMonths(at('2026-01-15T12:00:00.000Z'), 0))).toBe('2026-01-15T12:00:00.000Z');
    expect(() => addCalendarMonths(at('2026-01-15T12:00:00.000Z'), 1.5)).toThrow(RangeError);
    expect(() => addCalendarMonths(new Date(Number.NaN), 1)).toThrow(RangeError);
  });
});

describe('GDPR extension', () => {
  const verifiedAt = at('2026-01-31T09:00:00.000Z');
  const dueAt = dueDate('GDPR', verifiedAt); // 2026-02-28T09:00Z
  const now = at('2026-02-10T12:00:00.000Z');

  it('[D-CLOCK] extends by two months counted from the original deadline, and asks for a notice', () => {
    const result = extendDeadline({ jurisdiction: 'GDPR', dueAt, now, reason: 'Complex request' });
    expect(result).toEqual({
      ok: true,
      extendedDueAt: at('2026-04-28T09:00:00.000Z'),
      noticeRequired: true,
      noticeDueBy: dueAt,
    });
  });

  it('[D-CLOCK] extends by one month when asked, and by the end-of-month rule', () => {
    // Verified 31 March -> due 30 April -> +1 month = 30 May, +2 months = 30 June.
    const aprilDue = dueDate('GDPR', at('2026-03-31T09:00:00.000Z'));
    const april = at('2026-04-01T00:00:00.000Z');
    const one = extendDeadline({ jurisdiction: 'GDPR', dueAt: aprilDue, now: april, months: 1, reason: 'x' });
    const two = extendDeadline({ jurisdiction: 'GDPR', dueAt: aprilDue, now: april, reason: 'x' });
    expect(one.ok && iso(one.extendedDueAt)).toBe('2026-05-30T09:00:00.000Z');
    expect(two.ok && iso(two.extendedDueAt)).toBe('2026-06-30T09:00:00.000Z');
    // Verified 31 October -> due 30 November -> +2 months = 30 January (across the year).
    const novDue = dueDate('GDPR', at('2026-10-31T09:00:00.000Z'));
    const dec = extendDeadline({
      jurisdiction: 'GDPR',
      dueAt: novDue,
      now: at('2026-11-01T00:00:00Z'),
      reason: 'x',
    });
    expect(dec.ok && iso(dec.extendedDueAt)).toBe('2027-01-30T09:00:00.000Z');
    // Due 31 December -> +2 months = 28 February (non-leap) / 29 February (leap).
    const decDue = at('2026-12-31T09:00:00.000Z');
    const feb = extendDeadline({
      jurisdiction: 'GDPR',
      dueAt: decDue,
      now: at('2026-12-01T00:00:00Z'),
      reason: 'x',
    });
    expect(feb.ok && iso(feb.extendedDueAt)).toBe('2027-02-28T09:00:00.000Z');
    const leapDue = at('2027-12-31T09:00:00.000Z');
    const leap = extendDeadline({
      jurisdiction: 'GDPR',
      dueAt: leapDue,
      now: at('2027-12-01T00:00:00Z'),
      reason: 'x',
    });
    expect(leap.ok && iso(leap.extendedDueAt)).toBe('2028-02-29T09:00:00.000Z');
  });

  it('[D-CLOCK] refuses an extension without a reason', () => {
    for (const reason of ['', '   ']) {
      const result = extendDeadline({ jurisdiction: 'GDPR', dueAt, now, reason });
      expect(result).toMatchObject({ ok: false, code: 'reason_required' });
    }
  });

  it('[D-CLOCK] refuses an extension once the first month has elapsed', () => {
    const justBefore = extendDeadline({
      jurisdiction: 'GDPR',
      dueAt,
      now: new Date(dueAt.getTime() - 1),
      reason: 'x',
    });
    expect(justBefore.ok).toBe(true);
    for (const late of [dueAt, new Date(dueAt.getTime() + DAY)]) {
      const result = extendDeadline({ jurisdiction: 'GDPR', dueAt, now: late, reason: 'x' });
      expect(result).toMatchObject({ ok: false, code: 'too_late' });
    }
  });

  it('[D-CLOCK] refuses a second extension', () => {
    const first = extendDeadline({ jurisdiction: 'GDPR', dueAt, now, months: 1, reason: 'x' });
    if (!first.ok) throw new Error(first.message);
    const second = extendDeadline({
      jurisdiction: 'GDPR',
      dueAt,
      extendedDueAt: first.extendedDueAt,
      now,
      months: 1,
      reason: 'still complex',
    });
    expect(second).toMatchObject({ ok: false, code: 'already_extended' });
  });

  it('[D-CLOCK] refuses extensions other than one or two months', () => {
    for (const months of [0, 3, -1, 1.5]) {
      const result = extendDeadline({ jurisdiction: 'GDPR', dueAt, now, months, reason: 'x' });
      expect(result).toMatchObject({ ok: false, code: 'invalid_extension' });
    }
  });

  it("[D-CLOCK] extends the 'other' jurisdiction like GDPR", () => {
    const result = extendDeadline({ jurisdiction: 'other', dueAt, now, reason: 'x' });
    expect(result.ok && iso(result.extendedDueAt)).toBe('2026-04-28T09:00:00.000Z');
  });
});

describe('CCPA clock', () => {
  const verifiedAt = at('2026-01-01T10:00:00.000Z');
  const dueAt = dueDate('CCPA', verifiedAt);

  it('[D-CLOCK] gives a CCPA request 45 days from verification', () => {
    const due = dueDate('CCPA', verifiedAt);
    expect(iso(due)).toBe('2026-02-15T10:00:00.000Z');
    expect(due.getTime() - verifiedAt.getTime()).toBe(45 * DAY);
  });

  it('[D-CLOCK] extends a CCPA request once by another 45 days, with a notice', () => {
    const result = extendDeadline({
      jurisdiction: 'CCPA',
      dueAt,
      now: at('2026-02-01T00:00:00Z'),
      reason: 'x',
    });
    expect(result).toEqual({
      ok: true,
      extendedDueAt: at('2026-04-01T10:00:00.000Z'),
      noticeRequired: true,
      noticeDueBy: dueAt,
    });
    if (!result.ok) return;
    const again = extendDeadline({
      jurisdiction: 'CCPA',
      dueAt,
      extendedDueAt: result.extendedDueAt,
      now: at('2026-02-02T00:00:00Z'),
      reason: 'x',
    });
    expect(again).toMatchObject({ ok: false, code: 'already_extended' });
  });

  it('[D-CLOCK] refuses a CCPA extension after 45 days, without a reason, or counted in months', () => {
    expect(extendDeadline({ jurisdiction: 'CCPA', dueAt, now: dueAt, reason: 'x' })).toMatchObject({
      ok: false,
      code: 'too_late',
    });
    const early = at('2026-01-20T00:00:00Z');
    expect(extendDeadline({ jurisdiction: 'CCPA', dueAt, now: early, reason: '' })).toMatchObject({
      ok: false,
      code: 'reason_required',
    });
    expect(extendDeadline({ jurisdiction: 'CCPA', dueAt, now: early, months: 2, reason: 'x' })).toMatchObject(
      {
        ok: false,
        code: 'invalid_extension',
      },
    );
  });
});

describe('daysLeft', () => {
  const dueAt = at('2026-03-10T12:00:00.000Z');

  it('[D-CLOCK] counts whole days left, rounding down', () => {
    expect(daysLeft(dueAt, at('2026-03-01T12:00:00.000Z'))).toBe(9);
    expect(daysLeft(dueAt, new Date(dueAt.getTime() - 9 * DAY - 1))).toBe(9);
    expect(daysLeft(dueAt, new Date(dueAt.getTime() - DAY))).toBe(1);
    expect(daysLeft(dueAt, new Date(dueAt.getTime() - 23 * HOUR))).toBe(0);
  });

  it('[D-CLOCK] is 0 at the deadline and negative as soon as it has passed', () => {
    expect(daysLeft(dueAt, dueAt)).toBe(0);
    expect(daysLeft(dueAt, new Date(dueAt.getTime() + 1))).toBe(-1);
    expect(daysLeft(dueAt, new Date(dueAt.getTime() + DAY))).toBe(-1);
    expect(daysLeft(dueAt, new Date(dueAt.getTime() + DAY + MINUTE))).toBe(-2);
  });

  it('[D-CLOCK] counts against the extended deadline once there is one', () => {
    const extendedDueAt = at('2026-05-10T12:00:00.000Z');
    expect(effectiveDueAt({ dueAt, extendedDueAt })).toBe(extendedDueAt);
    expect(effectiveDueAt({ dueAt, extendedDueAt: null })).toBe(dueAt);
    expect(daysLeft(effectiveDueAt({ dueAt, extendedDueAt }), at('2026-05-01T12:00:00.000Z'))).toBe(9);
  });
});

describe('California access limit', () => {
  const req = (when: string, status: RequestStatus = 'completed') => ({ at: at(when), status });

  it('[D-CCPA-2X] allows the first and second request in 12 months', () => {
    const now = at('2026-06-01T00:00:00.000Z');
    expect(canMakeCaliforniaAccessRequest([], now)).toEqual({ allowed: true, remaining: 2 });
    expect(canMakeCaliforniaAccessRequest([req('2026-01-10T08:00:00.000Z')], now)).toEqual({
      allowed: true,
      remaining: 1,
    });
  });

  it('[D-CCPA-2X] refuses a third request within 12 months and says when the next is allowed', () => {
    const previous = [req('2026-01-10T08:00:00.000Z'), req('2026-03-05T08:00:00.000Z', 'in_progress')];
    const result = canMakeCaliforniaAccessRequest(previous, at('2026-06-01T00:00:00.000Z'));
    expect(result).toEqual({ allowed: false, nextAllowedAt: at('2027-01-10T08:00:00.000Z') });
  });

  it('[D-CCPA-2X] allows a request again exactly when the oldest leaves the 12-month window', () => {
    const previous = [req('2026-01-10T08:00:00.000Z'), req('2026-03-05T08:00:00.000Z')];
    const opens = at('2027-01-10T08:00:00.000Z');
    expect(canMakeCaliforniaAccessRequest(previous, new Date(opens.getTime() - 1)).allowed).toBe(false);
    expect(canMakeCaliforniaAccessRequest(previous, opens)).toEqual({ allowed: true, remaining: 1 });
    expect(canMakeCaliforniaAccessRequest(previous, at('2027-03-05T08:00:00.000Z'))).toEqual({
      allowed: true,
      remaining: 2,
    });
  });

  it('[D-CCPA-2X] waits for enough requests to leave the window when more than two count', () => {
    // More than two can exist (e.g. made before this rule); the next slot opens when two have left.
    const previous = [
      req('2026-05-01T00:00:00.000Z'),
      req('2026-02-01T00:00:00.000Z'),
      req('2026-03-01T00:00:00.000Z'),
    ];
    const result = canMakeCaliforniaAccessRequest(previous, at('2026-06-01T00:00:00.000Z'));
    expect(result).toEqual({ allowed: false, nextAllowedAt: at('2027-03-01T00:00:00.000Z') });
  });

  it('[D-CCPA-2X] counts pending requests but not rejected, cancelled or expired ones', () => {
    const now = at('2026-06-01T00:00:00.000Z');
    const notCounted = [
      req('2026-02-01T00:00:00.000Z', 'rejected'),
      req('2026-03-01T00:00:00.000Z', 'cancelled'),
      req('2026-04-01T00:00:00.000Z', 'expired'),
    ];
    expect(canMakeCaliforniaAccessRequest(notCounted, now)).toEqual({ allowed: true, remaining: 2 });
    const pending = [
      ...notCounted,
      req('2026-05-01T00:00:00.000Z', 'awaiting_verification'),
      req('2026-05-02T00:00:00.000Z', 'verified'),
    ];
    expect(canMakeCaliforniaAccessRequest(pending, now)).toEqual({
      allowed: false,
      nextAllowedAt: at('2027-05-01T00:00:00.000Z'),
    });
    // A request paused by a legal hold still answers later: it keeps its place.
    const paused = [
      ...notCounted,
      req('2026-05-01T00:00:00.000Z', 'paused'),
      req('2026-05-02T00:00:00.000Z'),
    ];
    expect(canMakeCaliforniaAccessRequest(paused, now).allowed).toBe(false);
  });

  it('[D-CCPA-2X] keeps the 12-month window in calendar months, 29 February included', () => {
    const previous = [req('2028-02-29T10:00:00.000Z'), req('2028-06-01T10:00:00.000Z')];
    const result = canMakeCaliforniaAccessRequest(previous, at('2028-07-01T00:00:00.000Z'));
    expect(result).toEqual({ allowed: false, nextAllowedAt: at('2029-02-28T10:00:00.000Z') });
  });
});
