// How a job that failed is told to its creator (domain/failures.ts): the failure type an
// activity raised, read through the activity's wrapper, decides what the person reads and
// whether another provider is tried.
import { describe, expect, it } from 'vitest';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import {
  FAILURE_TYPES,
  GENERATION_FAILURES,
  failureOf,
  failureType,
  isProviderDown,
  providerFailureType,
} from '../../domain/failures.ts';

const raised = (type: string) => ApplicationFailure.nonRetryable('the step failed', type);
const fromActivity = (type: string) =>
  new ActivityFailure(
    'activity failed',
    'submit',
    '1',
    RetryState.NON_RETRYABLE_FAILURE,
    'worker',
    raised(type),
  );

describe("a failure's type", () => {
  it('is read from an application failure, raised by the workflow or inside an activity', () => {
    expect(failureType(raised(FAILURE_TYPES.renderFailed))).toBe('RenderFailed');
    expect(failureType(fromActivity(FAILURE_TYPES.renderFailed))).toBe('RenderFailed');
  });

  it('is unknown for anything else: a plain error, an activity that timed out, an untyped failure', () => {
    expect(failureType(new Error('boom'))).toBeUndefined();
    expect(failureType('boom')).toBeUndefined();
    const timedOut = new ActivityFailure(
      'timed out',
      'submit',
      '1',
      RetryState.TIMEOUT,
      'worker',
      new Error('x'),
    );
    expect(failureType(timedOut)).toBeUndefined();
    expect(failureType(ApplicationFailure.create({ message: 'untyped' }))).toBeUndefined();
  });

  it("is read only from the platform's failures, never from a look-alike or another error's cause", () => {
    expect(failureType({ type: FAILURE_TYPES.jobNotFound })).toBeUndefined();
    expect(failureType(new Error('wrapped', { cause: raised(FAILURE_TYPES.jobNotFound) }))).toBeUndefined();
  });

  it("names a provider's own error after its adapter's code", () => {
    expect(providerFailureType('rate_limited')).toBe('Provider_rate_limited');
  });
});

describe('which provider failures another provider may fix', () => {
  it('a provider down, unavailable or rate limited: yes', () => {
    expect(isProviderDown(fromActivity(FAILURE_TYPES.providerUnavailable))).toBe(true);
    expect(isProviderDown(fromActivity(providerFailureType('unavailable')))).toBe(true);
    expect(isProviderDown(raised(providerFailureType('rate_limited')))).toBe(true);
  });

  it('a refused prompt, a bad request, a timeout or an untyped error: no', () => {
    for (const type of ['moderation_input', 'invalid_request', 'timeout'].map(providerFailureType))
      expect(isProviderDown(fromActivity(type))).toBe(false);
    expect(isProviderDown(new Error('boom'))).toBe(false);
  });
});

describe('what the creator reads when a job ends without a video', () => {
  const cases: [string, { status: 'failed' | 'rejected'; code: string }][] = [
    [providerFailureType('moderation_input'), { status: 'rejected', code: 'moderation_refused' }],
    [providerFailureType('moderation_output'), { status: 'rejected', code: 'moderation_output' }],
    [FAILURE_TYPES.providerUnavailable, { status: 'failed', code: 'provider_unavailable' }],
    [providerFailureType('unavailable'), { status: 'failed', code: 'provider_unavailable' }],
    [providerFailureType('rate_limited'), { status: 'failed', code: 'provider_unavailable' }],
    [FAILURE_TYPES.submissionOutcomeUnknown, { status: 'failed', code: 'submission_outcome_unknown' }],
    [providerFailureType('timeout'), { status: 'failed', code: 'submission_outcome_unknown' }],
    [FAILURE_TYPES.outputDownloadFailed, { status: 'failed', code: 'output_unavailable' }],
    [FAILURE_TYPES.storageUnavailable, { status: 'failed', code: 'storage_unavailable' }],
    [FAILURE_TYPES.renderFailed, { status: 'failed', code: 'provider_failed' }],
    [providerFailureType('invalid_request'), { status: 'failed', code: 'provider_failed' }],
  ];

  it.each(cases)('%s ends the job as %j', (type, outcome) => {
    expect(failureOf(fromActivity(type))).toEqual(outcome);
    expect(failureOf(raised(type))).toEqual(outcome);
  });

  it("an error of no known type is the provider's failure, never a refusal", () => {
    expect(failureOf(new Error('boom'))).toEqual({ status: 'failed', code: 'provider_failed' });
  });
});

describe('which failures end a job without another try', () => {
  it("the job's own state, the provider's refusals and an unknown submission", () => {
    for (const type of [
      FAILURE_TYPES.jobNotFound,
      FAILURE_TYPES.insufficientCredits,
      FAILURE_TYPES.submissionOutcomeUnknown,
      providerFailureType('moderation_input'),
      providerFailureType('unauthorized'),
    ])
      expect(GENERATION_FAILURES).toContain(type);
  });

  it("not a passing failure: the provider's rate limit, a timeout, our own storage", () => {
    for (const type of [
      providerFailureType('rate_limited'),
      providerFailureType('timeout'),
      FAILURE_TYPES.storageUnavailable,
      FAILURE_TYPES.outputDownloadFailed,
    ])
      expect(GENERATION_FAILURES).not.toContain(type);
  });
});
