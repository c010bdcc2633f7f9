// The account rules that are pure arithmetic (domain/accounts.ts): the age gate counts
// whole years by the calendar, a sign-in lock doubles past the free failures, and a
// minor's timer started late keeps the parent's period from sign-up.
import { describe, expect, it } from 'vitest';
import {
  ADULT_AGE,
  MINIMUM_AGE,
  PARENTAL_CONSENT_PERIOD_MS,
  SIGN_IN_LOCKOUT,
  ageBand,
  ageOn,
  lockoutMs,
  parentalConsentLeftMs,
} from '../../domain/accounts.ts';

const day = (iso: string) => new Date(`${iso}T12:00:00.000Z`);

describe('the age gate [D-MINOR]', () => {
  it('counts a year only from the birthday itself: the day before is a year younger', () => {
    expect(ageOn('2008-06-15', day('2026-06-14'))).toBe(17);
    expect(ageOn('2008-06-15', day('2026-06-15'))).toBe(18);
    expect(ageOn('2008-06-15', day('2026-06-16'))).toBe(18);
  });

  it('compares the month before the day: a later month, even on an earlier day, is past the birthday', () => {
    expect(ageOn('2008-06-15', day('2026-07-01'))).toBe(18);
    expect(ageOn('2008-06-15', day('2026-05-31'))).toBe(17);
    expect(ageOn('2008-12-31', day('2026-01-01'))).toBe(17);
  });

  it('reads the day in UTC, whatever the hour', () => {
    expect(ageOn('2008-06-15', new Date('2026-06-15T00:00:00.000Z'))).toBe(18);
    expect(ageOn('2008-06-15', new Date('2026-06-14T23:59:59.999Z'))).toBe(17);
  });

  it('a leap-day birthday turns a year older on 1 March in other years', () => {
    expect(ageOn('2008-02-29', day('2026-02-28'))).toBe(17);
    expect(ageOn('2008-02-29', day('2026-03-01'))).toBe(18);
    expect(ageOn('2008-02-29', day('2028-02-29'))).toBe(20);
  });

  it(`refuses under ${MINIMUM_AGE}, asks a parent from ${MINIMUM_AGE} to ${ADULT_AGE}, and lets adults in`, () => {
    const on = day('2026-06-15');
    expect(ageBand('2013-06-16', on)).toBe('under_minimum');
    expect(ageBand('2013-06-15', on)).toBe('minor');
    expect(ageBand('2008-06-16', on)).toBe('minor');
    expect(ageBand('2008-06-15', on)).toBe('adult');
    expect(ageBand('1950-01-01', on)).toBe('adult');
  });
});

describe("a minor's timer started late [D-MINOR]", () => {
  it("gets what is left of the parent's period from sign-up, and none once it has passed", () => {
    const signedUp = day('2026-12-01');
    const later = (ms: number) => new Date(signedUp.getTime() + ms);
    expect(parentalConsentLeftMs(signedUp, signedUp, PARENTAL_CONSENT_PERIOD_MS)).toBe(
      PARENTAL_CONSENT_PERIOD_MS,
    );
    expect(parentalConsentLeftMs(signedUp, later(3_600_000), PARENTAL_CONSENT_PERIOD_MS)).toBe(
      PARENTAL_CONSENT_PERIOD_MS - 3_600_000,
    );
    expect(
      parentalConsentLeftMs(signedUp, later(PARENTAL_CONSENT_PERIOD_MS + 1), PARENTAL_CONSENT_PERIOD_MS),
    ).toBe(0);
  });
});

describe('the sign-in lock [S-RATE]', () => {
  const free = SIGN_IN_LOCKOUT.freeFailures;

  it('locks nothing below the free failures', () => {
    expect(lockoutMs(0)).toBe(0);
    expect(lockoutMs(free - 1)).toBe(0);
  });

  it('locks for the first length at the threshold and doubles with each further failure', () => {
    expect(lockoutMs(free)).toBe(SIGN_IN_LOCKOUT.firstLockMs);
    expect(lockoutMs(free + 1)).toBe(2 * SIGN_IN_LOCKOUT.firstLockMs);
    expect(lockoutMs(free + 3)).toBe(8 * SIGN_IN_LOCKOUT.firstLockMs);
  });

  it('never locks longer than the maximum', () => {
    const doublings = Math.log2(SIGN_IN_LOCKOUT.maxLockMs / SIGN_IN_LOCKOUT.firstLockMs);
    expect(lockoutMs(free + Math.ceil(doublings) + 1)).toBe(SIGN_IN_LOCKOUT.maxLockMs);
    expect(lockoutMs(free + 40)).toBe(SIGN_IN_LOCKOUT.maxLockMs);
    expect(lockoutMs(free + Math.floor(doublings))).toBeLessThanOrEqual(SIGN_IN_LOCKOUT.maxLockMs);
    expect(lockoutMs(free + Math.floor(doublings))).toBeGreaterThan(SIGN_IN_LOCKOUT.maxLockMs / 2);
  });
});
