// The script project workflow (workflows/script.ts; R-INTERMEDIATE): scenes as child
// generation workflows, at most SCENE_PARALLELISM at once; a failed scene refunded by its
// own job while the others are charged, and no composition; a cancellation that cancels
// the running scenes (each refunds itself) and ends the ones never started; a cancel
// kept while Temporal did not answer, which names its run; an edit whose run renders only
// the changed scene, queued behind a run in progress.
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it, vi } from 'vitest';
import type { RunPlan } from '../../activities/script/index.ts';
import { SCENE_PARALLELISM } from '../../domain/script.ts';
import { DAY } from '../../domain/time.ts';
import { assetRetentionWorkflow } from '../../workflows/retention.ts';
import {
  cancelRequestedSignal,
  cancelUpdate,
  progressQuery,
  runSignal,
  scriptWorkflow,
} from '../../workflows/script.ts';
import { withWorkflowEnv, type ActivityStubs } from '../support/workflow-env.ts';

const wf = withWorkflowEnv();

const plan = (count: number, from = 1): RunPlan => ({
  running: true,
  renders: Array.from({ length: count }, (_, i) => ({
    position: from + i,
    jobId: randomUUID(),
    modelId: 'local-v1',
    provider: 'local' as const,
    credits: 4,
  })),
});

/** A render that takes `ms`, or stops at the job's cancellation (it heartbeats to hear it). */
async function rendering(ms: number): Promise<void> {
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat(), 20);
  try {
    await Promise.race([new Promise((resolve) => setTimeout(resolve, ms)), ctx.cancelled]);
  } finally {
    clearInterval(beat);
  }
}

/** Every activity of a project's run, its scenes' jobs included, succeeding unless told otherwise. */
function stubs(plans: Record<string, RunPlan>, overrides: ActivityStubs = {}) {
  const live = { now: 0, most: 0 };
  const finished: { jobId: string; status: string }[] = [];
  const all: ActivityStubs = {
    beginScriptRun: async (revisionId) => plans[revisionId]!,
    startJob: async () => ({
      verdict: 'allow',
      modelId: 'local-v1',
      provider: 'local',
      credits: 4,
      fellBack: false,
    }),
    renderLocal: async ({ jobId }) => {
      live.now++;
      live.most = Math.max(live.most, live.now);
      try {
        await rendering(60);
      } finally {
        live.now--;
      }
      return { tempAssetId: randomUUID(), objectKey: `temp/${jobId}`, bytes: 1 };
    },
    storeOutput: async ({ jobId }) => ({
      id: randomUUID(),
      user: 'u',
      kind: 'intermediate',
      objectKey: `clips/${jobId}`,
      deleteAt: new Date().toISOString(),
      moderation: 'passed',
      reason: null,
    }),
    finishJob: async ({ jobId, status }) => {
      finished.push({ jobId, status });
      return { creditsCharged: status === 'succeeded' ? 4 : 0 };
    },
    cancelProviderTask: async () => {},
    makeVoiceTrack: async () => ({ assetId: randomUUID() }),
    composeRevision: async () => ({ finalAssetId: randomUUID(), durationSeconds: 8 }),
    finishScriptRun: async ({ outcome }) => ({ status: outcome === 'composed' ? 'ready' : outcome }),
    ...overrides,
  };
  return { all, live, finished };
}

const input = () => ({ projectId: randomUUID(), userId: randomUUID() });

describe('script project workflow', () => {
  it('[R-INTERMEDIATE] renders the scenes as child jobs, never more than the limit at once, then voices and composes', async () => {
    const first = plan(7);
    const s = stubs({ r1: first });
    const run = await wf.start(scriptWorkflow, { args: [input()], activities: s.all });
    await run.handle.signal(runSignal, { revisionId: 'r1' });
    const state = await run.result();

    expect(state.outcome).toBe('composed');
    expect(s.live.most).toBe(SCENE_PARALLELISM);
    expect(
      run
        .callsTo('renderLocal')
        .map(([r]) => r.jobId)
        .sort(),
    ).toEqual(first.renders.map((r) => r.jobId).sort());
    // Each scene charged by its own job; then the voice, the composition, the run's end.
    expect(s.finished.filter((f) => f.status === 'succeeded')).toHaveLength(7);
    const order = run
      .order()
      .filter((n) => ['makeVoiceTrack', 'composeRevision', 'finishScriptRun'].includes(n));
    expect(order).toEqual(['makeVoiceTrack', 'composeRevision', 'finishScriptRun']);
    expect(run.callsTo('finishScriptRun')[0]![0]).toEqual({
      revisionId: 'r1',
      outcome: 'composed',
      unstartedJobIds: [],
      detail: undefined,
    });
    // The scenes are the children the generation workflow ids name (so webhooks and cancels find them).
    const child = wf.env.client.workflow.getHandle(`generation-${first.renders[0]!.jobId}`);
    expect((await child.describe()).status.name).toBe('COMPLETED');
  });

  it('refunds only the scene that failed, charges the others and composes nothing', async () => {
    const runPlan = plan(4);
    const failing = runPlan.renders[1]!.jobId;
    const s = stubs({ r1: runPlan });
    const render = s.all.renderLocal!;
    s.all.renderLocal = async (req) => {
      if (req.jobId === failing)
        throw ApplicationFailure.nonRetryable('the renderer broke', 'Provider_internal');
      return render(req);
    };
    const run = await wf.start(scriptWorkflow, { args: [input()], activities: s.all });
    await run.handle.signal(runSignal, { revisionId: 'r1' });
    const state = await run.result();

    expect(state.outcome).toBe('incomplete');
    expect(s.finished.find((f) => f.jobId === failing)?.status).toBe('failed');
    expect(
      s.finished
        .filter((f) => f.status === 'succeeded')
        .map((f) => f.jobId)
        .sort(),
    ).toEqual(
      runPlan.renders
        .filter((r) => r.jobId !== failing)
        .map((r) => r.jobId)
        .sort(),
    );
    expect(run.order()).not.toContain('makeVoiceTrack');
    expect(run.order()).not.toContain('composeRevision');
    expect(run.callsTo('finishScriptRun')[0]![0]).toMatchObject({
      outcome: 'incomplete',
      unstartedJobIds: [],
    });
  });

  it('cancels the running scenes through their own cancellation, and ends and refunds those never started', async () => {
    const runPlan = plan(5);
    const s = stubs({ r1: runPlan });
    // Renders that go on until the run is cancelled. A cancelled activity hears of it at
    // the next heartbeat the SDK sends (throttled to most of the heartbeat timeout), and
    // the test server skips no time while one is out: each scene's own cancellation of its
    // provider task (stubbed here) stops its render before the scene ends.
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    s.all.renderLocal = async () => {
      s.live.now++;
      try {
        await Promise.race([stopped, Context.current().cancelled]);
        throw new Error('stopped by the test');
      } finally {
        s.live.now--;
      }
    };
    s.all.cancelProviderTask = async () => {
      stop();
      await vi.waitFor(() => expect(s.live.now).toBe(0));
    };
    const run = await wf.start(scriptWorkflow, { args: [input()], activities: s.all });
    await run.handle.signal(runSignal, { revisionId: 'r1' });
    await run.waitFor(progressQuery, (p) => p.scenes.filter((sc) => sc.status === 'running').length === 3);

    const ended = await run.handle.executeUpdate(cancelUpdate, { args: [{ requestedBy: 'creator' }] });
    expect(ended.outcome).toBe('cancelled');
    const state = await run.result();
    expect(state.outcome).toBe('cancelled');

    const started = runPlan.renders.slice(0, SCENE_PARALLELISM).map((r) => r.jobId);
    const never = runPlan.renders.slice(SCENE_PARALLELISM).map((r) => r.jobId);
    // The running ones ended themselves as cancelled (their own refund)...
    expect(s.finished.map((f) => f.jobId).sort()).toEqual([...started].sort());
    expect(s.finished.every((f) => f.status === 'cancelled')).toBe(true);
    // ...and the run's end refunds the ones it never started; no voice, no composition.
    expect(run.callsTo('finishScriptRun')[0]![0]).toMatchObject({
      outcome: 'cancelled',
      unstartedJobIds: never,
    });
    expect(run.order()).not.toContain('composeRevision');
  });

  it('a cancel told by signal names its run: told late, it leaves the run going on; told before its run began, that run begins cancelled', async () => {
    const first = plan(2);
    const queued = plan(2, 3);
    const s = stubs({ r1: first, r2: queued });
    // The first run's scenes wait until the signals below were taken.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const render = s.all.renderLocal!;
    s.all.renderLocal = async (request) => {
      await released;
      return render(request);
    };
    const run = await wf.start(scriptWorkflow, { args: [input()], activities: s.all });
    await run.handle.signal(runSignal, { revisionId: 'r1' });
    await run.waitFor(progressQuery, (p) => p.scenes.some((sc) => sc.status === 'running'));
    // A cancel of a run that ended before (the sweep told it late), then the next run
    // and its own cancel, kept before that run began.
    await run.handle.signal(cancelRequestedSignal, { requestedBy: 'creator', revisionId: 'r0' });
    await run.handle.signal(runSignal, { revisionId: 'r2' });
    await run.handle.signal(cancelRequestedSignal, { requestedBy: 'creator', revisionId: 'r2' });
    await vi.waitFor(async () => {
      const events = (await run.handle.fetchHistory()).events ?? [];
      const lastSignal = events.findLastIndex((e) => e.workflowExecutionSignaledEventAttributes);
      expect(events.slice(lastSignal).some((e) => e.workflowTaskCompletedEventAttributes)).toBe(true);
    });
    release();
    await run.result();

    expect(run.callsTo('finishScriptRun').map(([f]) => [f.revisionId, f.outcome])).toEqual([
      ['r1', 'composed'],
      ['r2', 'cancelled'],
    ]);
    // The cancelled run started none of its scenes: the run's end refunds them all.
    expect(run.callsTo('renderLocal').map(([r]) => r.jobId)).toHaveLength(2);
    expect(run.callsTo('finishScriptRun')[1]![0].unstartedJobIds).toEqual(queued.renders.map((r) => r.jobId));
    expect(run.callsTo('composeRevision').map(([c]) => c.revisionId)).toEqual(['r1']);
  });

  it('an edit sent while a run goes on waits for it, then renders only the changed scene and composes again', async () => {
    const first = plan(4);
    const edit: RunPlan = { running: true, renders: [{ ...plan(1, 2).renders[0]! }] };
    const s = stubs({ r1: first, r2: edit });
    const run = await wf.start(scriptWorkflow, { args: [input()], activities: s.all });
    await run.handle.signal(runSignal, { revisionId: 'r1' });
    await run.waitFor(progressQuery, (p) => p.phase === 'rendering');
    await run.handle.signal(runSignal, { revisionId: 'r2' });
    // The same run signalled twice is made once.
    await run.handle.signal(runSignal, { revisionId: 'r2' });
    const state = await run.result();

    expect(state.runs).toBe(2);
    expect(run.callsTo('renderLocal')).toHaveLength(5);
    expect(run.callsTo('renderLocal').at(-1)![0].jobId).toBe(edit.renders[0]!.jobId);
    expect(run.callsTo('composeRevision').map(([c]) => c.revisionId)).toEqual(['r1', 'r2']);
    expect(run.callsTo('finishScriptRun').map(([f]) => [f.revisionId, f.outcome])).toEqual([
      ['r1', 'composed'],
      ['r2', 'composed'],
    ]);
  });

  it('a composition that fails ends the run as failed, with the reason, keeping the scenes charged', async () => {
    const s = stubs(
      { r1: plan(2) },
      {
        composeRevision: async () => {
          throw ApplicationFailure.nonRetryable('scene 1 has no stored clip', 'ClipMissing');
        },
      },
    );
    const run = await wf.start(scriptWorkflow, { args: [input()], activities: s.all });
    await run.handle.signal(runSignal, { revisionId: 'r1' });
    expect((await run.result()).outcome).toBe('failed');
    expect(run.callsTo('composeRevision')).toHaveLength(1);
    expect(run.callsTo('finishScriptRun')[0]![0]).toMatchObject({
      outcome: 'failed',
      detail: 'scene 1 has no stored clip',
    });
    expect(s.finished.map((f) => f.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('a run repeated after it ended does nothing again', async () => {
    const s = stubs({ r1: { running: false, renders: [] } });
    const run = await wf.start(scriptWorkflow, { args: [input()], activities: s.all });
    await run.handle.signal(runSignal, { revisionId: 'r1' });
    await run.result();
    expect(run.order()).toEqual(['beginScriptRun']);
  });
});

describe('an intermediate file kept with its final video', () => {
  it('[R-INTERMEDIATE] is deleted when the newest final video that re-uses it is, not on its first timer', async () => {
    const now = await wf.now();
    const firstDue = new Date(now + 7 * DAY).toISOString();
    // A newer revision re-used the clip: its row's delete-at moved to that video's, 3 days later.
    const movedTo = new Date(now + 10 * DAY).toISOString();
    let looks = 0;
    const run = await wf.start(assetRetentionWorkflow, {
      args: [
        { assetId: randomUUID(), userId: null, kind: 'intermediate', objectKey: 'k', deleteAt: firstDue },
      ],
      activities: {
        deleteAssetObject: async (request) =>
          looks++ === 0
            ? { status: 'postponed', deleteAt: movedTo }
            : {
                status: 'deleted',
                proofId: 'p',
                reason: request.reason,
                deletedAt: new Date().toISOString(),
                objectExisted: true,
              },
      },
    });
    const state = await run.result();
    expect(state).toMatchObject({ status: 'deleted', reason: 'timer', deleteAt: movedTo });
    const [first, second] = run.callsTo('deleteAssetObject').map(([r]) => r);
    expect(first).toMatchObject({ reason: 'timer', dueAt: firstDue });
    expect(second).toMatchObject({ reason: 'timer', dueAt: movedTo });
    // Each look happened when its timer fired, by the workflow's own clock.
    expect(Date.parse(first!.requestedAt)).toBeGreaterThanOrEqual(Date.parse(firstDue));
    expect(Date.parse(first!.requestedAt)).toBeLessThan(Date.parse(movedTo));
    expect(Date.parse(second!.requestedAt)).toBeGreaterThanOrEqual(Date.parse(movedTo));
    expect(Date.parse(second!.requestedAt) - Date.parse(movedTo)).toBeLessThan(DAY / 24);
  });
});
