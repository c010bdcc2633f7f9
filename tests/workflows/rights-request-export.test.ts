// The data access workflow (workflows/dsar.ts) with the shared request steps of
// workflows/privacyRequest.ts: the wait for verification and its expiry (D-VERIFY), the
// cancellation before the claim, the claim lost to the owner, the archive (D-ACCESS,
// D-PORT) and an export whose account went meanwhile.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ExportResult } from '../../activities/rights-request/export.ts';
import { EXPORT_STEPS } from '../../domain/rights-request.ts';
import { DAY } from '../../domain/time.ts';
import { dataAccessWorkflow } from '../../workflows/rights-request-export.ts';
import {
  cancelRequestSignal,
  requestProgressQuery,
  verifiedSignal,
  type RequestProgress,
} from '../../workflows/rights-request.ts';
import { withWorkflowEnv } from '../support/workflow-env.ts';
import { newRequest, verification } from './request-row.ts';

const wf = withWorkflowEnv();

const stepStates = (progress: RequestProgress) =>
  Object.fromEntries(progress.steps.map((s) => [s.name, s.state]));
const allSteps = (state: string) => Object.fromEntries(EXPORT_STEPS.map((name) => [name, state]));

function archiveOf(requestId: string, now: number): ExportResult {
  return {
    assetId: requestId,
    objectKey: `users/u/export/${requestId}`,
    sizeBytes: 4096,
    sha256: 'ab'.repeat(32),
    deleteAt: new Date(now + 7 * DAY).toISOString(),
    entries: 12,
    videos: 2,
  };
}

/** The steps after verification, stubbed to succeed. */
function exportStubs(requestId: string, now: number) {
  return {
    buildExportArchive: async () => archiveOf(requestId, now),
    publishExport: async () => ({ assetId: requestId, deleteAt: archiveOf(requestId, now).deleteAt }),
    sendExportReady: async () => 'sent' as const,
  };
}

describe('verification', () => {
  it('[D-VERIFY] an unverified request waits until its expiry, then expires with nothing processed', async () => {
    const started = await wf.now();
    const request = newRequest(started, 'access');
    const run = await wf.start(dataAccessWorkflow, { args: [request.input], activities: request.stubs });

    const waiting = await run.waitFor(requestProgressQuery, (p) => stepStates(p).verify === 'waiting');
    expect(waiting.status).toBe('awaiting_verification');
    expect(run.calls).toEqual([]);

    const progress = await run.result();
    expect(progress.status).toBe('expired');
    expect(stepStates(progress)).toEqual(allSteps('skipped'));
    expect(run.order()).toEqual(['expireRequest']);
    expect(run.callsTo('expireRequest')).toEqual([[request.input.requestId]]);
    // Not a moment before the expiry the API computed.
    expect(run.calls[0]?.at).toBeGreaterThanOrEqual(Date.parse(request.input.expiresAt));
  });

  it('[D-VERIFY] a verification whose signal was lost counts when the expiry finds it in the database', async () => {
    const started = await wf.now();
    const request = newRequest(started, 'access');
    const verified = verification(started + DAY);
    const run = await wf.start(dataAccessWorkflow, {
      args: [request.input],
      activities: { ...request.stubs, ...exportStubs(request.input.requestId, started) },
    });
    await run.waitFor(requestProgressQuery, (p) => stepStates(p).verify === 'waiting');
    // The API checked the code and wrote it; its signal never arrived.
    Object.assign(request.row, { status: 'verified', ...verified });

    const progress = await run.result();
    expect(progress.status).toBe('completed');
    expect(progress.dueAt).toBe(verified.dueAt);
    expect(run.order()).toEqual([
      'expireRequest',
      'claimRequest',
      'buildExportArchive',
      'publishExport',
      'sendExportReady',
      'completeRequest',
    ]);
  });

  it('[D-VERIFY] [D-ACCESS] a verification signal starts the export at once: archive, link, email', async () => {
    const started = await wf.now();
    const request = newRequest(started, 'access');
    const run = await wf.start(dataAccessWorkflow, {
      args: [request.input],
      activities: { ...request.stubs, ...exportStubs(request.input.requestId, started) },
    });
    await run.waitFor(requestProgressQuery, (p) => stepStates(p).verify === 'waiting');
    const verified = verification(started);
    Object.assign(request.row, { status: 'verified', ...verified });
    await run.handle.signal(verifiedSignal, verified);

    const progress = await run.result();
    expect(progress).toMatchObject({
      status: 'completed',
      dueAt: verified.dueAt,
      counts: { sizeBytes: 4096, entries: 12, videos: 2 },
    });
    expect(stepStates(progress)).toEqual(allSteps('done'));
    expect(run.order()).toEqual([
      'claimRequest',
      'buildExportArchive',
      'publishExport',
      'sendExportReady',
      'completeRequest',
    ]);
    const { requestId, userId } = request.input;
    expect(run.callsTo('buildExportArchive')).toEqual([[{ requestId, userId, type: 'access' }]]);
    // The email carries the archive's own deletion time (its retention, not the request's).
    expect(run.callsTo('sendExportReady')).toEqual([
      [{ requestId, deleteAt: archiveOf(requestId, started).deleteAt }],
    ]);
    // Nothing waited for the expiry.
    expect(Math.max(...run.calls.map((c) => c.at))).toBeLessThan(Date.parse(request.input.expiresAt));
  });

  it('[D-VERIFY] a cancellation before the claim ends the request as the database says', async () => {
    const request = newRequest(await wf.now(), 'access');
    const run = await wf.start(dataAccessWorkflow, { args: [request.input], activities: request.stubs });
    await run.waitFor(requestProgressQuery, (p) => stepStates(p).verify === 'waiting');
    request.row.status = 'cancelled';
    await run.handle.signal(cancelRequestSignal);

    const progress = await run.result();
    expect(progress.status).toBe('cancelled');
    expect(stepStates(progress)).toEqual(allSteps('skipped'));
    expect(run.order()).toEqual(['loadRequest']);
  });
});

describe('processing', () => {
  it('[D-PORT] a request verified from the start asks for the portable archive without waiting', async () => {
    const started = await wf.now();
    const request = newRequest(started, 'portability', verification(started));
    const run = await wf.start(dataAccessWorkflow, {
      args: [request.input],
      activities: { ...request.stubs, ...exportStubs(request.input.requestId, started) },
    });

    const progress = await run.result();
    expect(progress.status).toBe('completed');
    expect(progress.dueAt).toBe(request.input.verified?.dueAt);
    expect(run.callsTo('buildExportArchive')[0]?.[0].type).toBe('portability');
    expect(run.calls[0]?.at).toBeLessThan(started + DAY);
  });

  it('a claim lost to the owner’s cancellation processes nothing', async () => {
    const started = await wf.now();
    const request = newRequest(started, 'access', verification(started));
    // The owner's cancel won the race for the row before the workflow's claim.
    request.row.status = 'cancelled';
    const run = await wf.start(dataAccessWorkflow, { args: [request.input], activities: request.stubs });

    const progress = await run.result();
    expect(progress.status).toBe('cancelled');
    expect(stepStates(progress)).toEqual({ ...allSteps('skipped'), verify: 'done' });
    expect(run.order()).toEqual(['claimRequest']);
  });

  it('[D-ACCESS] an export whose account was deleted meanwhile is rejected, without a retry (ExportGone)', async () => {
    const started = await wf.now();
    const request = newRequest(started, 'access', verification(started));
    const run = await wf.start(dataAccessWorkflow, {
      args: [request.input],
      activities: {
        ...request.stubs,
        // Retryable as thrown: the workflow's policy is what must stop the retries.
        buildExportArchive: async () => {
          throw ApplicationFailure.create({ type: 'ExportGone', message: 'the account is gone' });
        },
      },
    });

    const progress = await run.result();
    expect(progress.status).toBe('rejected');
    expect(stepStates(progress)).toMatchObject({ verify: 'done', collect: 'done', archive: 'skipped' });
    expect(run.order()).toEqual(['claimRequest', 'buildExportArchive', 'rejectRequest']);
    expect(run.callsTo('rejectRequest')).toEqual([
      [{ requestId: request.input.requestId, reason: 'export_gone' }],
    ]);
  });

  it('an archive that fails for another reason is written again, not rejected', async () => {
    const started = await wf.now();
    const request = newRequest(started, 'access', verification(started));
    let attempts = 0;
    const run = await wf.start(dataAccessWorkflow, {
      args: [request.input],
      activities: {
        ...request.stubs,
        ...exportStubs(request.input.requestId, started),
        buildExportArchive: async () => {
          if (++attempts === 1) throw new Error('the worker lost its connection');
          return archiveOf(request.input.requestId, started);
        },
      },
    });

    expect((await run.result()).status).toBe('completed');
    expect(run.order().filter((name) => name === 'buildExportArchive')).toHaveLength(2);
    expect(run.callsTo('rejectRequest')).toEqual([]);
  });
});
