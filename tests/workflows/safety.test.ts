// The trust-and-safety workflows on their own, with stubbed activities and skipped time:
// take-downs (S-TAKEDOWN), breach incidents (S-BREACH), parental consent (D-MINOR) and
// the generation job's held video and requested review (S-MOD, D-ADM).
import { describe, expect, it } from 'vitest';
import { AUTHORITY_DEADLINE_MS } from '../../domain/incident.ts';
import { REVIEW_TIMEOUT_MS } from '../../domain/generation.ts';
import { PARENTAL_CONSENT_PERIOD_MS } from '../../domain/accounts.ts';
import { TAKEDOWN_ANSWER_WINDOW_MS } from '../../domain/takedown.ts';
import { HOUR } from '../../domain/time.ts';
import { generationWorkflow, progressQuery, reviewDecisionSignal } from '../../workflows/generation.ts';
import { authorityNotifiedSignal, incidentStateQuery, incidentWorkflow } from '../../workflows/incident.ts';
import { parentalConsentGivenSignal, parentalConsentWorkflow } from '../../workflows/parental-consent.ts';
import {
  takedownAnswerSignal,
  takedownDecisionSignal,
  takedownStateQuery,
  takedownWorkflow,
} from '../../workflows/takedown.ts';
import { inTurn, withWorkflowEnv, type ActivityStubs } from '../support/workflow-env.ts';

const wf = withWorkflowEnv();

const takedownStubs = {
  removeTakenDownContent: async () => ({ removed: 3 }),
  notifyTakedownCreator: async () => 'sent' as const,
  closeTakedown: async () => {},
} satisfies ActivityStubs;

describe('take-down', () => {
  it('[S-TAKEDOWN] removes nothing until a person decides; upheld, removes, tells the creator and closes after the answer', async () => {
    const run = await wf.start(takedownWorkflow, {
      args: [{ takedownId: 't-1', answerWindowMs: TAKEDOWN_ANSWER_WINDOW_MS }],
      activities: takedownStubs,
    });
    await run.waitFor(takedownStateQuery, (s) => s.status === 'awaiting_decision');
    await wf.env.sleep(30 * 24 * HOUR);
    expect(run.order()).toEqual([]);
    await run.handle.signal(takedownDecisionSignal, { upheld: true, decidedBy: 'legal-1' });
    await run.waitFor(takedownStateQuery, (s) => s.status === 'awaiting_answer');
    await run.handle.signal(takedownAnswerSignal);
    expect(await run.result()).toEqual({ status: 'closed', upheld: true, removed: 3, answered: true });
    expect(run.order()).toEqual(['removeTakenDownContent', 'notifyTakedownCreator', 'closeTakedown']);
  });

  it('[S-TAKEDOWN] closes an upheld request when the answer window ends without an answer', async () => {
    const run = await wf.start(takedownWorkflow, {
      args: [{ takedownId: 't-2', answerWindowMs: TAKEDOWN_ANSWER_WINDOW_MS }],
      activities: takedownStubs,
    });
    await run.handle.signal(takedownDecisionSignal, { upheld: true, decidedBy: 'legal-1' });
    expect(await run.result()).toMatchObject({ status: 'closed', answered: false });
    const [notified, closed] = [run.calls[1]!.at, run.calls[2]!.at];
    expect(closed - notified).toBeGreaterThanOrEqual(TAKEDOWN_ANSWER_WINDOW_MS);
  });

  it('[S-TAKEDOWN] a rejected request is closed without removing anything', async () => {
    const run = await wf.start(takedownWorkflow, {
      args: [{ takedownId: 't-3', answerWindowMs: TAKEDOWN_ANSWER_WINDOW_MS }],
      activities: takedownStubs,
    });
    await run.handle.signal(takedownDecisionSignal, { upheld: false, decidedBy: 'legal-1' });
    expect(await run.result()).toMatchObject({ status: 'closed', upheld: false, removed: 0 });
    expect(run.order()).toEqual(['closeTakedown']);
  });
});

const incidentStubs = (batches: number) =>
  ({
    findAffectedPeople: async () => batches * 50,
    sendIncidentNotices: inTurn(
      ...(Array.from({ length: batches }, (_, i) => ({
        sent: (i + 1) * 50,
        unconfirmed: 0,
        remaining: (batches - i - 1) * 50,
      })) as [{ sent: number; unconfirmed: number; remaining: number }]),
    ),
    recordDeadlineMissed: async () => {},
    closeIncident: async () => {},
  }) satisfies ActivityStubs;

describe('breach incident', () => {
  it('[S-BREACH] sends the notices batch by batch and closes once the authority is notified in time', async () => {
    const now = await wf.now();
    const run = await wf.start(incidentWorkflow, {
      args: [{ incidentId: 'i-1', deadlineAt: new Date(now + AUTHORITY_DEADLINE_MS).toISOString() }],
      activities: incidentStubs(3),
    });
    await run.waitFor(incidentStateQuery, (s) => s.status === 'notified');
    await run.handle.signal(authorityNotifiedSignal);
    expect(await run.result()).toMatchObject({
      status: 'closed',
      sent: 150,
      deadlineMissed: false,
      authorityNotified: true,
    });
    expect(run.order()).toEqual([
      'findAffectedPeople',
      'sendIncidentNotices',
      'sendIncidentNotices',
      'sendIncidentNotices',
      'closeIncident',
    ]);
  });

  it('[S-BREACH] records the missed deadline 72 hours after the breach was found, and still waits for the notification', async () => {
    const found = await wf.now();
    const run = await wf.start(incidentWorkflow, {
      args: [{ incidentId: 'i-2', deadlineAt: new Date(found + AUTHORITY_DEADLINE_MS).toISOString() }],
      activities: incidentStubs(1),
    });
    await wf.env.sleep(AUTHORITY_DEADLINE_MS + HOUR);
    await run.waitFor(incidentStateQuery, (s) => s.deadlineMissed);
    const missed = run.calls.find((c) => c.name === 'recordDeadlineMissed')!;
    expect(missed.at - found).toBeGreaterThanOrEqual(AUTHORITY_DEADLINE_MS);
    expect(missed.at - found).toBeLessThan(AUTHORITY_DEADLINE_MS + HOUR + 60_000);
    expect(run.order()).not.toContain('closeIncident');
    await run.handle.signal(authorityNotifiedSignal);
    expect(await run.result()).toMatchObject({ status: 'closed', deadlineMissed: true });
  });
});

describe('parental consent', () => {
  it('[D-MINOR] deletes the unconfirmed account when the period ends, not before', async () => {
    const started = await wf.now();
    const run = await wf.start(parentalConsentWorkflow, {
      args: [{ userId: 'u-1', periodMs: PARENTAL_CONSENT_PERIOD_MS }],
      activities: { expireUnconfirmedAccount: async () => 'deleted' as const },
    });
    expect(await run.result()).toBe('deleted');
    expect(run.calls[0]!.at - started).toBeGreaterThanOrEqual(PARENTAL_CONSENT_PERIOD_MS);
  });

  it("[D-MINOR] the parent's confirmation ends the timer: nothing is deleted", async () => {
    const run = await wf.start(parentalConsentWorkflow, {
      args: [{ userId: 'u-2', periodMs: PARENTAL_CONSENT_PERIOD_MS }],
      activities: { expireUnconfirmedAccount: async () => 'deleted' as const },
    });
    await run.handle.signal(parentalConsentGivenSignal);
    expect(await run.result()).toBe('confirmed');
    expect(run.order()).toEqual([]);
  });
});

const job = {
  jobId: 'j-1',
  userId: 'u-1',
  modelId: 'local-v1',
  provider: 'local' as const,
  credits: 2,
  fallbackAllowed: false,
};
const allow = {
  verdict: 'allow' as const,
  modelId: 'local-v1',
  provider: 'local' as const,
  credits: 2,
  fellBack: false,
};
const generationStubs = (moderation: 'passed' | 'held') =>
  ({
    startJob: async () => allow,
    renderLocal: async () => ({ tempAssetId: 't', objectKey: 'users/u/temp/t', bytes: 10 }),
    storeOutput: async () => ({
      id: 'a-1',
      kind: 'output' as const,
      objectKey: 'users/u/outputs/a-1',
      deleteAt: new Date().toISOString(),
      moderation,
      reason: moderation === 'held' ? 'held for a review' : null,
    }),
    finishJob: async () => ({ creditsCharged: 2 }),
  }) satisfies ActivityStubs;

describe('generation: moderation of the finished video', () => {
  it('[S-MOD] holds a video the classifier flagged until a person releases it', async () => {
    const run = await wf.start(generationWorkflow, { args: [job], activities: generationStubs('held') });
    await run.waitFor(progressQuery, (s) => s.status === 'awaiting_review');
    expect(run.order()).not.toContain('finishJob');
    await run.handle.signal(reviewDecisionSignal, { approved: true, reviewerId: 's-1', reason: 'fine' });
    expect(await run.result()).toMatchObject({ status: 'succeeded', outputAssetId: 'a-1' });
    expect(run.callsTo('finishJob')[0]![0]).toMatchObject({ status: 'succeeded' });
  });

  it('[S-MOD] ends a held video refused by a person, or whose review expired, without a charge', async () => {
    const refused = await wf.start(generationWorkflow, {
      args: [{ ...job, jobId: 'j-2' }],
      activities: generationStubs('held'),
    });
    await refused.waitFor(progressQuery, (s) => s.status === 'awaiting_review');
    await refused.handle.signal(reviewDecisionSignal, {
      approved: false,
      reviewerId: 's-1',
      reason: 'explicit',
    });
    expect(await refused.result()).toMatchObject({ status: 'rejected', failureCode: 'review_rejected' });

    const expired = await wf.start(generationWorkflow, {
      args: [{ ...job, jobId: 'j-3' }],
      activities: generationStubs('held'),
    });
    await expired.waitFor(progressQuery, (s) => s.status === 'awaiting_review');
    // finishJob is a local activity (no server schedule time): the review's wait is shown by
    // the job still waiting one hour before the timeout, then ending after it.
    await wf.env.sleep(REVIEW_TIMEOUT_MS - HOUR);
    await expired.waitFor(progressQuery, (s) => s.status === 'awaiting_review');
    expect(expired.order()).not.toContain('finishJob');
    expect(await expired.result()).toMatchObject({ status: 'rejected', failureCode: 'review_expired' });
    const finished = expired.callsTo('finishJob')[0]![0];
    expect(finished).toMatchObject({ status: 'rejected', failureCode: 'review_expired' });
  });

  it('[D-ADM] a re-run asked for after a refusal waits for the person before any moderation or work', async () => {
    const run = await wf.start(generationWorkflow, {
      args: [{ ...job, jobId: 'j-4', reviewRequested: true }],
      activities: generationStubs('passed'),
    });
    await run.waitFor(progressQuery, (s) => s.status === 'awaiting_review');
    expect(run.order()).toEqual([]);
    await run.handle.signal(reviewDecisionSignal, {
      approved: true,
      reviewerId: 's-1',
      reason: 'consent shown',
    });
    expect(await run.result()).toMatchObject({ status: 'succeeded' });
    expect(run.callsTo('startJob')).toEqual([[{ jobId: 'j-4', reviewed: true }]]);
  });

  // The re-run's row says it waits for a person before its workflow has run at all: a
  // reviewer quick enough decides before the workflow's first task, which holds the signal.
  const promptApproved = {
    approved: true,
    reviewerId: 's-1',
    reason: 'consent shown',
    subject: 'prompt' as const,
  };
  const approvedWithItsStart = (jobId: string, moderation: 'passed' | 'held') =>
    wf.start(generationWorkflow, {
      args: [{ ...job, jobId, reviewRequested: true }],
      activities: generationStubs(moderation),
      signal: { definition: reviewDecisionSignal, args: [promptApproved] },
    });

  it('[D-ADM] a decision that reaches the re-run with its start is kept, not dropped for the review not yet open', async () => {
    const run = await approvedWithItsStart('j-5', 'passed');
    expect(await run.result()).toMatchObject({ status: 'succeeded' });
    expect(run.callsTo('startJob')).toEqual([[{ jobId: 'j-5', reviewed: true }]]);
  });

  it("[S-MOD] the prompt's decision does not release the video held after it", async () => {
    const run = await approvedWithItsStart('j-6', 'held');
    await run.waitFor(progressQuery, (s) => s.status === 'awaiting_review' && s.outputAssetId === 'a-1');
    // The prompt's decision told again (a retried request) is not the video's.
    await run.handle.signal(reviewDecisionSignal, promptApproved);
    // A query sent after a signal is answered by the task that handles it: the state has heard it.
    expect((await run.handle.query(progressQuery)).status).toBe('awaiting_review');
    await run.handle.signal(reviewDecisionSignal, {
      approved: false,
      reviewerId: 's-2',
      reason: 'explicit',
      subject: 'output',
    });
    expect(await run.result()).toMatchObject({ status: 'rejected', failureCode: 'review_rejected' });
  });
});
