// The account deletion workflow (workflows/accountDeletion.ts; D-ERASE, R-HOLD, D-CLOCK):
// every step once and in order, the legal-hold pause before the start and mid-way (ended
// by a signal, or by the daily re-read when the signal is lost), the owner's cancel while
// held, and the polls for running jobs and for the files' deletion proofs.
import { describe, expect, it } from 'vitest';
import type { ErasedRows } from '../../activities/account-deletion/rows.ts';
import { ASSET_PROOF_POLL_MS, DELETION_HOLD_RECHECK_MS } from '../../domain/account-deletion.ts';
import { DELETION_STEPS } from '../../domain/rights-request.ts';
import { DAY } from '../../domain/time.ts';
import type { AccountDeletionInput } from '../../workflows/account-deletion.ts';
import { accountDeletionWorkflow } from '../../workflows/account-deletion.ts';
import {
  cancelRequestSignal,
  deadlineChangedSignal,
  holdChangedSignal,
  requestProgressQuery,
  type RequestProgress,
} from '../../workflows/rights-request.ts';
import { inTurn, withWorkflowEnv, type ActivityStubs } from '../support/workflow-env.ts';
import { newRequest, verification } from './request-row.ts';

const wf = withWorkflowEnv();

const ROWS: ErasedRows = {
  sessions: 3,
  accountTokens: 1,
  mfaRecoveryCodes: 8,
  priceQuotes: 2,
  consents: 2,
  analyticsEvents: 40,
  scriptProjects: 1,
  jobsAnonymized: 5,
  assetRows: 6,
  ledgerEntriesDetached: 4,
  paymentsDetached: 1,
  creditsExpired: 120,
};

const ENDED = {
  subscriptionId: 'sub-1',
  planId: 'basic' as const,
  atStripe: 'subscription_cancelled' as const,
  endedAt: '2026-01-01T00:00:00.000Z',
};

/** A verified deletion request whose legal holds the test controls through `holds`. */
async function verifiedDeletion() {
  const started = await wf.now();
  const request = newRequest(started, 'deletion', verification(started));
  const input: AccountDeletionInput = { ...request.input, origin: 'user' };
  const state = { holds: [] as string[] };
  const stubs = {
    ...request.stubs,
    deletionHolds: async () => state.holds,
    cancelSubscriptions: async () => [ENDED],
    suspendAccount: async () => ({ revokedSessions: 3 }),
    cancelRunningJobs: async () => ({ asked: 0, running: 0 }),
    requestAssetDeletions: async () => ({ requested: 6, deferred: 0 }),
    assetDeletionStatus: async () => ({ remaining: 0, held: 0, unrequested: 0 }),
    eraseAccountRows: async () => ROWS,
    sendErasureNotices: async () => ({
      sent: 2,
      outcomes: { deleted: 1, not_found: 1, not_supported: 0, failed: 0 },
    }),
    sendDeletionNotice: async () => 'sent' as const,
    anonymizeProfile: async () => ({ emailLogRows: 7 }),
    issueDeletionCertificate: async () => ({ certificateId: 'c-1', certificateHash: 'h' }),
  } satisfies ActivityStubs;
  return { row: request.row, input, state, stubs };
}

const states = (progress: RequestProgress) =>
  Object.fromEntries(progress.steps.map((s) => [s.name, s.state]));
const held = (progress: RequestProgress) =>
  progress.pausedReason === 'legal_hold' && progress.status === 'paused';

/** Every activity of an uneventful deletion after the hold check, in order. */
const STEPS_AFTER_CLAIM = [
  'cancelSubscriptions',
  'suspendAccount',
  'cancelRunningJobs',
  'requestAssetDeletions',
  'assetDeletionStatus',
  'deletionHolds',
  'eraseAccountRows',
  'sendErasureNotices',
  'sendDeletionNotice',
  'anonymizeProfile',
  'issueDeletionCertificate',
  'completeRequest',
];

describe('the steps', () => {
  it('[D-ERASE] runs every step once, in order, and the progress shows each step as it goes', async () => {
    const deletion = await verifiedDeletion();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = await wf.start(accountDeletionWorkflow, {
      args: [deletion.input],
      activities: {
        ...deletion.stubs,
        anonymizeProfile: async () => (await gate, { emailLogRows: 7 }),
      },
    });

    const midway = await run.waitFor(requestProgressQuery, (p) => states(p).anonymize_profile === 'running');
    const index = DELETION_STEPS.indexOf('anonymize_profile');
    expect(midway.steps).toEqual(
      DELETION_STEPS.map((name, i) => ({
        name,
        state: i < index ? 'done' : i === index ? 'running' : 'pending',
      })),
    );
    expect(midway.status).toBe('in_progress');
    release();

    const progress = await run.result();
    expect(progress.status).toBe('completed');
    expect(progress.steps).toEqual(DELETION_STEPS.map((name) => ({ name, state: 'done' })));
    expect(progress.counts).toEqual({
      subscriptionsCancelled: 1,
      sessionsRevoked: 3,
      jobsCancelled: 0,
      filesRequested: 6,
      filesRemaining: 0,
      // Credits that expired are not rows about the person.
      rowsErased: 73,
      erasureNotices: 2,
    });
    expect(run.order()).toEqual(['deletionHolds', 'claimRequest', ...STEPS_AFTER_CLAIM]);
    const { requestId, userId } = deletion.input;
    expect(run.callsTo('issueDeletionCertificate')).toEqual([
      [{ requestId, userId, origin: 'user', rows: ROWS, emailLogRows: 7, subscriptions: [ENDED] }],
    ]);
  });

  it('[D-ERASE] waits for running jobs to end, polling until none is left', async () => {
    const deletion = await verifiedDeletion();
    const run = await wf.start(accountDeletionWorkflow, {
      args: [deletion.input],
      activities: {
        ...deletion.stubs,
        cancelRunningJobs: inTurn(
          { asked: 2, running: 2 },
          { asked: 0, running: 1 },
          { asked: 0, running: 0 },
        ),
      },
    });

    const progress = await run.result();
    expect(progress.counts.jobsCancelled).toBe(2);
    const polls = run.calls.filter((c) => c.name === 'cancelRunningJobs');
    expect(polls).toHaveLength(3);
    for (let i = 1; i < polls.length; i++) {
      expect(polls[i]!.at - polls[i - 1]!.at).toBeGreaterThanOrEqual(ASSET_PROOF_POLL_MS);
    }
    // The files wait until no job can store another.
    expect(run.order().indexOf('requestAssetDeletions')).toBe(
      run.order().lastIndexOf('cancelRunningJobs') + 1,
    );
  });

  it('[D-ERASE] asks for files stored after the request went out, and erases rows only once every file is gone', async () => {
    const deletion = await verifiedDeletion();
    const run = await wf.start(accountDeletionWorkflow, {
      args: [deletion.input],
      activities: {
        ...deletion.stubs,
        assetDeletionStatus: inTurn(
          { remaining: 3, held: 0, unrequested: 1 },
          { remaining: 2, held: 0, unrequested: 0 },
          { remaining: 0, held: 0, unrequested: 0 },
        ),
      },
    });

    const progress = await run.result();
    expect(progress.counts).toMatchObject({ filesRequested: 6, filesRemaining: 0 });
    expect(run.order().slice(3, 12)).toEqual([
      'suspendAccount',
      'cancelRunningJobs',
      'requestAssetDeletions',
      'assetDeletionStatus',
      // One file nobody asked for yet: asked for now.
      'requestAssetDeletions',
      'assetDeletionStatus',
      'assetDeletionStatus',
      'deletionHolds',
      'eraseAccountRows',
    ]);
  });
});

describe('subscriptions', () => {
  it('[D-SUBSCRIPTION] [D-ERASE] cancels the person’s subscriptions at Stripe first, before anything is erased, and the certificate lists them', async () => {
    const deletion = await verifiedDeletion();
    const run = await wf.start(accountDeletionWorkflow, {
      args: [deletion.input],
      activities: deletion.stubs,
    });
    const progress = await run.result();
    expect(progress.status).toBe('completed');
    const order = run.order();
    // Right after the claim, before sessions, jobs, files or rows are touched.
    expect(order.slice(order.indexOf('claimRequest'), order.indexOf('claimRequest') + 3)).toEqual([
      'claimRequest',
      'cancelSubscriptions',
      'suspendAccount',
    ]);
    expect(order.indexOf('cancelSubscriptions')).toBeLessThan(order.indexOf('eraseAccountRows'));
    expect(states(progress).cancel_subscriptions).toBe('done');
    expect(run.callsTo('issueDeletionCertificate')[0]![0].subscriptions).toEqual([ENDED]);
  });

  it('[D-SUBSCRIPTION] a hold found before the start cancels nothing at Stripe until it is released', async () => {
    const deletion = await verifiedDeletion();
    deletion.state.holds = ['hold-9'];
    const run = await wf.start(accountDeletionWorkflow, {
      args: [deletion.input],
      activities: deletion.stubs,
    });
    await run.waitFor(requestProgressQuery, held);
    expect(run.callsTo('cancelSubscriptions')).toEqual([]);
    deletion.state.holds = [];
    await run.handle.signal(holdChangedSignal);
    expect((await run.result()).status).toBe('completed');
    expect(run.callsTo('cancelSubscriptions')).toHaveLength(1);
  });
});

describe('legal holds', () => {
  it('[R-HOLD] [D-CLOCK] a hold pauses the deletion before anything is touched; its release signal resumes it', async () => {
    const deletion = await verifiedDeletion();
    deletion.state.holds = ['hold-1'];
    const run = await wf.start(accountDeletionWorkflow, {
      args: [deletion.input],
      activities: deletion.stubs,
    });

    const paused = await run.waitFor(requestProgressQuery, held);
    expect(states(paused)).toMatchObject({
      verify: 'done',
      legal_hold_check: 'running',
      revoke_sessions: 'pending',
    });
    expect(run.order()).toEqual(['deletionHolds', 'pauseRequest']);
    expect(run.callsTo('pauseRequest')).toEqual([
      [{ requestId: deletion.input.requestId, reason: 'legal_hold', holdIds: ['hold-1'] }],
    ]);
    expect(deletion.row.status).toBe('paused');

    // The legal team extends the deadline meanwhile.
    const extended = new Date(Date.parse(paused.dueAt!) + 60 * DAY).toISOString();
    await run.handle.signal(deadlineChangedSignal, { dueAt: extended });
    await run.waitFor(requestProgressQuery, (p) => p.dueAt === extended);

    deletion.state.holds = [];
    await run.handle.signal(holdChangedSignal);
    const progress = await run.result();
    expect(progress).toMatchObject({ status: 'completed', pausedReason: null, dueAt: extended });
    expect(run.order()).toEqual([
      'deletionHolds',
      'pauseRequest',
      'deletionHolds',
      'resumeRequest',
      'claimRequest',
      ...STEPS_AFTER_CLAIM,
    ]);
    // Resumed by the signal, not by the daily re-read.
    const [first, second] = run.calls.filter((c) => c.name === 'deletionHolds');
    expect(second!.at - first!.at).toBeLessThan(DELETION_HOLD_RECHECK_MS);
  });

  it('[R-HOLD] a release whose signal was lost is found by the daily re-read of the holds', async () => {
    const deletion = await verifiedDeletion();
    deletion.state.holds = ['hold-1'];
    const run = await wf.start(accountDeletionWorkflow, {
      args: [deletion.input],
      activities: deletion.stubs,
    });
    await run.waitFor(requestProgressQuery, held);
    deletion.state.holds = [];

    // Half a re-read interval later, still held: nothing looked again.
    await wf.env.sleep(DELETION_HOLD_RECHECK_MS / 2);
    expect(held(await run.handle.query(requestProgressQuery))).toBe(true);
    expect(run.order()).toEqual(['deletionHolds', 'pauseRequest']);

    expect((await run.result()).status).toBe('completed');
    const [first, second] = run.calls.filter((c) => c.name === 'deletionHolds');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(DELETION_HOLD_RECHECK_MS);
    expect(run.order().slice(2, 5)).toEqual(['deletionHolds', 'resumeRequest', 'claimRequest']);
  });

  it('[R-HOLD] the owner can still cancel a deletion held before its start; nothing is touched', async () => {
    const deletion = await verifiedDeletion();
    deletion.state.holds = ['hold-1'];
    const run = await wf.start(accountDeletionWorkflow, {
      args: [deletion.input],
      activities: deletion.stubs,
    });
    await run.waitFor(requestProgressQuery, held);
    // What the API does: the row first, then the signal.
    deletion.row.status = 'cancelled';
    await run.handle.signal(cancelRequestSignal);

    const progress = await run.result();
    expect(progress.status).toBe('cancelled');
    expect(run.order()).toEqual(['deletionHolds', 'pauseRequest', 'claimRequest']);
    const after = DELETION_STEPS.slice(DELETION_STEPS.indexOf('revoke_sessions'));
    expect(after.map((name) => states(progress)[name])).toEqual(after.map(() => 'skipped'));
  });

  it('[R-HOLD] files held mid-way pause the deletion, shown as waiting, until the hold is released', async () => {
    const deletion = await verifiedDeletion();
    const files = { remaining: 2, held: 2, unrequested: 0 };
    const run = await wf.start(accountDeletionWorkflow, {
      args: [deletion.input],
      activities: {
        ...deletion.stubs,
        assetDeletionStatus: async () => {
          // The legal team placed a hold on two files after the deletion started.
          if (files.held > 0) deletion.state.holds = ['hold-2'];
          return files;
        },
      },
    });

    const paused = await run.waitFor(requestProgressQuery, held);
    expect(states(paused)).toMatchObject({
      cancel_jobs: 'done',
      delete_assets: 'waiting',
      erase_rows: 'pending',
    });
    expect(paused.counts.filesRemaining).toBe(2);
    expect(run.callsTo('pauseRequest')).toEqual([
      [{ requestId: deletion.input.requestId, reason: 'legal_hold', holdIds: ['hold-2'] }],
    ]);
    expect(deletion.row.status).toBe('paused');
    expect(run.callsTo('eraseAccountRows')).toEqual([]);

    // Released: the retention workflows delete the files, and the deletion goes on.
    deletion.state.holds = [];
    Object.assign(files, { remaining: 0, held: 0 });
    await run.handle.signal(holdChangedSignal);
    const progress = await run.result();
    expect(progress.status).toBe('completed');
    expect(states(progress).delete_assets).toBe('done');
    const order = run.order();
    expect(order.slice(order.indexOf('pauseRequest'))).toEqual([
      'pauseRequest',
      'deletionHolds',
      'resumeRequest',
      'assetDeletionStatus',
      'deletionHolds',
      'eraseAccountRows',
      'sendErasureNotices',
      'sendDeletionNotice',
      'anonymizeProfile',
      'issueDeletionCertificate',
      'completeRequest',
    ]);
  });

  // After the claim, a hold found mid-way sets the status `paused`; the API refuses the
  // owner's cancel then, and the workflow ignores one that arrives anyway.
  it('[R-HOLD] a cancel sent to a started deletion held mid-way erases nothing while the hold stands', async () => {
    const deletion = await verifiedDeletion();
    const run = await wf.start(accountDeletionWorkflow, {
      args: [deletion.input],
      activities: {
        ...deletion.stubs,
        // No hold at the start; one placed before the rows are erased.
        deletionHolds: inTurn<string[]>([], ['hold-3']),
      },
    });
    const paused = await run.waitFor(requestProgressQuery, held);
    expect(states(paused).erase_rows).toBe('running');
    deletion.row.status = 'cancelled';
    await run.handle.signal(cancelRequestSignal);

    await wf.env.sleep(DELETION_HOLD_RECHECK_MS / 2);
    expect(run.callsTo('eraseAccountRows')).toEqual([]);
  });
});
