// Housekeeping started by Temporal Schedules: session logs and ephemera (workflows/
// sweeps.ts; R-SESSION-30D), the bucket's reconciliation with the asset rows, and the
// privacy sweeps (workflows/privacySweeps.ts; R-ANALYTICS-12M, R-SUPPORT-3Y). A sweep
// that keeps failing gives up after five attempts: the next scheduled run starts afresh.
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { ASSET_KEY_PREFIX, ORPHAN_GRACE_MS, OVERDUE_GRACE_MS } from '../../domain/retention.ts';
import {
  analyticsSweepWorkflow,
  emailLogSweepWorkflow,
  orphanSweepWorkflow,
  overdueAssetSweepWorkflow,
  sessionLogSweepWorkflow,
} from '../../workflows/sweeps.ts';
import { withWorkflowEnv } from '../support/workflow-env.ts';

const wf = withWorkflowEnv();

const CUTOFF = '2026-01-01T00:00:00.000Z';
const orphans = { scanned: 40, orphansDeleted: 3, orphansHeld: 1 };
const missing = { checked: 36, missing: 2 };

describe('storage sweeps', () => {
  it('[R-SESSION-30D] deletes old session logs, then the expired ephemera, and reports the logs', async () => {
    const run = await wf.start(sessionLogSweepWorkflow, {
      args: [],
      activities: {
        deleteOldSessionLogs: async () => ({ deleted: 12, cutoff: CUTOFF }),
        deleteExpiredEphemera: async () => ({ priceQuotes: 4 }),
      },
    });
    expect(await run.result()).toEqual({ deleted: 12, cutoff: CUTOFF });
    expect(run.order()).toEqual(['deleteOldSessionLogs', 'deleteExpiredEphemera']);
  });

  it('reconciles every asset object by default, with this run as the proofs’ key', async () => {
    const run = await wf.start(orphanSweepWorkflow, {
      args: [],
      activities: { sweepOrphanObjects: async () => orphans, findMissingObjects: async () => missing },
    });
    expect(await run.result()).toEqual({ ...orphans, ...missing });
    const scope = {
      sweepId: run.handle.firstExecutionRunId,
      prefix: ASSET_KEY_PREFIX,
      graceMs: ORPHAN_GRACE_MS,
    };
    expect(run.callsTo('sweepOrphanObjects')).toEqual([[scope]]);
    expect(run.callsTo('findMissingObjects')).toEqual([[scope]]);
  });

  it('a narrowed scope is passed on as given', async () => {
    const run = await wf.start(orphanSweepWorkflow, {
      args: [{ prefix: 'users/u-1/', graceMs: 0 }],
      activities: { sweepOrphanObjects: async () => orphans, findMissingObjects: async () => missing },
    });
    await run.result();
    expect(run.callsTo('sweepOrphanObjects')[0]?.[0]).toMatchObject({ prefix: 'users/u-1/', graceMs: 0 });
  });

  it('[R-OUT-7D] [R-IN-30D] looks for overdue assets everywhere, an hour past their time, keyed by this run', async () => {
    const found = { overdue: 3, deleted: 2, held: 1 };
    const run = await wf.start(overdueAssetSweepWorkflow, {
      args: [],
      activities: { deleteOverdueAssets: async () => found },
    });
    expect(await run.result()).toEqual(found);
    expect(run.callsTo('deleteOverdueAssets')).toEqual([
      [{ sweepId: run.handle.firstExecutionRunId, prefix: ASSET_KEY_PREFIX, graceMs: OVERDUE_GRACE_MS }],
    ]);
  });

  it('a scope outside the asset keys is refused at once (InvalidSweepScope), not retried', async () => {
    const run = await wf.start(orphanSweepWorkflow, {
      args: [{ prefix: 'diagnostics/' }],
      activities: {
        sweepOrphanObjects: async () => {
          // Retryable as thrown: the workflow's policy is what must stop the retries.
          throw ApplicationFailure.create({ type: 'InvalidSweepScope', message: 'outside users/' });
        },
      },
    });
    await expect(run.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(run.order()).toEqual(['sweepOrphanObjects']);
  });

  it('a sweep that keeps failing gives up after five attempts', async () => {
    const run = await wf.start(sessionLogSweepWorkflow, {
      args: [],
      activities: {
        deleteOldSessionLogs: async () => {
          throw new Error('database unavailable');
        },
      },
    });
    await expect(run.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(run.order()).toEqual(Array(5).fill('deleteOldSessionLogs'));
  });
});

describe('privacy sweeps', () => {
  it('[R-ANALYTICS-12M] aggregates old identifying analytics and reports how many', async () => {
    const run = await wf.start(analyticsSweepWorkflow, {
      args: [],
      activities: { aggregateOldAnalytics: async () => ({ aggregated: 250, cutoff: CUTOFF }) },
    });
    expect(await run.result()).toEqual({ aggregated: 250, cutoff: CUTOFF });
    expect(run.order()).toEqual(['aggregateOldAnalytics']);
  });

  it('[R-SUPPORT-3Y] deletes the old email log, retrying a failed attempt', async () => {
    let attempts = 0;
    const run = await wf.start(emailLogSweepWorkflow, {
      args: [],
      activities: {
        deleteOldEmailLog: async () => {
          if (++attempts === 1) throw new Error('database unavailable');
          return { deleted: 9, campaigns: 1, cutoff: CUTOFF };
        },
      },
    });
    expect(await run.result()).toEqual({ deleted: 9, campaigns: 1, cutoff: CUTOFF });
    expect(run.order()).toEqual(['deleteOldEmailLog', 'deleteOldEmailLog']);
  });
});
