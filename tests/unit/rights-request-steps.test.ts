// A rights request's steps, pure (domain/rights-request.ts): each type's order, what
// verification and the claim write, when the owner may still cancel, and the days left.
// The request row keeps its status and steps side by side, so what these helpers write is
// what the person's page shows.
import { describe, expect, it } from 'vitest';
import {
  DELETION_STEPS,
  EXPORT_STEPS,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  RIGHTS_STEPS,
  claimedSteps,
  initialSteps,
  isAccessRequest,
  isCancellable,
  isFinished,
  orderedSteps,
  requestDaysLeft,
  stepAfter,
  stepsOf,
  verifiedSteps,
  type RequestType,
} from '../../domain/rights-request.ts';

describe("a request type's steps", () => {
  it('an access or portability request exports, a deletion erases, the others apply a change', () => {
    expect(stepsOf('access')).toEqual(EXPORT_STEPS);
    expect(stepsOf('portability')).toEqual(EXPORT_STEPS);
    expect(stepsOf('deletion')).toEqual(DELETION_STEPS);
    for (const type of ['rectification', 'restriction', 'objection', 'consent_withdrawal'] as const)
      expect(stepsOf(type)).toEqual(RIGHTS_STEPS);
    expect(REQUEST_TYPES.filter(isAccessRequest)).toEqual(['access', 'portability']);
  });

  it('every step is followed by the next in order, the last by none', () => {
    for (const type of REQUEST_TYPES) {
      const steps = stepsOf(type);
      steps.forEach((step, i) => expect(stepAfter(type, step)).toBe(steps[i + 1] ?? null));
    }
    expect(stepAfter('deletion', 'verify')).toBe('legal_hold_check');
    expect(stepAfter('access', 'notify')).toBeNull();
  });

  it("a step not in the type's workflow has no next step", () => {
    expect(stepAfter('access', 'legal_hold_check')).toBeNull();
    expect(stepAfter('rectification', 'archive')).toBeNull();
  });
});

describe('what a request writes as it moves [D-VERIFY]', () => {
  it('a new request waits for its code: verify waiting, every other step pending', () => {
    for (const type of REQUEST_TYPES) {
      const steps = initialSteps(type);
      expect(Object.keys(steps)).toEqual([...stepsOf(type)]);
      expect(steps.verify).toBe('waiting');
      for (const step of stepsOf(type).slice(1)) expect(steps[step]).toBe('pending');
    }
  });

  it('a request verified from the start (a signed-in person, a minor) has verify done', () => {
    expect(initialSteps('access', true)).toEqual({
      verify: 'done',
      collect: 'pending',
      archive: 'pending',
      link: 'pending',
      notify: 'pending',
    });
    expect(initialSteps('deletion', true)).toMatchObject({
      verify: 'done',
      legal_hold_check: 'running',
      revoke_sessions: 'pending',
    });
  });

  it("verification marks verify done, and a deletion's hold check running at once [R-HOLD]", () => {
    expect(verifiedSteps('deletion')).toEqual({ verify: 'done', legal_hold_check: 'running' });
    expect(verifiedSteps('portability')).toEqual({ verify: 'done' });
    expect(verifiedSteps('objection')).toEqual({ verify: 'done' });
  });

  it("the claim runs each type's first working step, the ones before it done", () => {
    expect(claimedSteps('deletion')).toEqual({ legal_hold_check: 'done', revoke_sessions: 'running' });
    expect(claimedSteps('access')).toEqual({ collect: 'done', archive: 'running' });
    expect(claimedSteps('portability')).toEqual({ collect: 'done', archive: 'running' });
    expect(claimedSteps('restriction')).toEqual({ apply: 'running' });
  });

  it("reads stored states in the workflow's order, a step not stored as pending", () => {
    expect(orderedSteps('rectification', { notify: 'done', verify: 'done' })).toEqual([
      { name: 'verify', state: 'done' },
      { name: 'apply', state: 'pending' },
      { name: 'notify', state: 'done' },
    ]);
    expect(orderedSteps('objection', null).map((s) => s.state)).toEqual(['pending', 'pending', 'pending']);
  });
});

describe('when the owner may cancel', () => {
  const open = (type: RequestType) => initialSteps(type);

  it('before its processing starts: waiting for the code, verified, or paused before the start', () => {
    expect(isCancellable('awaiting_verification', open('access'))).toBe(true);
    expect(isCancellable('verified', { ...open('deletion'), ...verifiedSteps('deletion') })).toBe(true);
    expect(isCancellable('paused', { verify: 'done', legal_hold_check: 'running' })).toBe(true);
    expect(isCancellable('paused', null)).toBe(true);
  });

  it('not once a step waits for a hold to be released [R-HOLD]: nothing is given up while held', () => {
    expect(
      isCancellable('paused', { verify: 'done', legal_hold_check: 'done', delete_assets: 'waiting' }),
    ).toBe(false);
  });

  it('not under way, nor once finished', () => {
    for (const status of ['in_progress', 'completed', 'rejected', 'expired', 'cancelled'] as const)
      expect(isCancellable(status, open('access'))).toBe(false);
  });

  it('only the open statuses count as unfinished', () => {
    expect(REQUEST_STATUSES.filter((s) => !isFinished(s))).toEqual([
      'awaiting_verification',
      'verified',
      'in_progress',
      'paused',
    ]);
  });
});

describe('the days left to answer [D-CLOCK]', () => {
  const now = new Date('2026-12-06T12:00:00.000Z');
  const at = (iso: string) => new Date(iso);

  it('none before verification started the clock', () => {
    expect(requestDaysLeft({}, now)).toBeNull();
    expect(requestDaysLeft({ dueAt: null, extendedDueAt: null }, now)).toBeNull();
  });

  it('whole days, rounded down, to the deadline; negative once past it', () => {
    expect(requestDaysLeft({ dueAt: at('2026-12-16T12:00:00.000Z') }, now)).toBe(10);
    expect(requestDaysLeft({ dueAt: at('2026-12-16T11:59:59.999Z') }, now)).toBe(9);
    expect(requestDaysLeft({ dueAt: now }, now)).toBe(0);
    expect(requestDaysLeft({ dueAt: at('2026-12-05T12:00:00.000Z') }, now)).toBe(-1);
  });

  it('an extended deadline counts instead of the first', () => {
    const request = { dueAt: at('2026-12-16T12:00:00.000Z'), extendedDueAt: at('2027-02-16T12:00:00.000Z') };
    expect(requestDaysLeft(request, now)).toBe(72);
  });
});
