// One durable workflow per script project (`script-<projectId>`, task queue
// `generation`): each run renders the scenes that need it as CHILD generation workflows
// (`generation-<jobId>`: the same moderation, exactly-once submission, charge and refund
// as any job), at most SCENE_PARALLELISM at once; then the voice track (the creator's
// recording, or speech made on the box) and the composition of scenes, voice and
// subtitles into the final video: a new revision. A run that ends without a video
// (a scene failed, a cancellation) keeps what it may still use, refunds what was not made,
// and deletes at once what nothing will use (R-INTERMEDIATE).
//
// Lean by design: the run's plan and its end are local activities; the live state of the
// project and of every scene is written to PostgreSQL by the activities (and by the
// children's own), never read from here; the status search attribute is upserted once
// per run. A run arrives as a signal (signal-with-start), so an edit made after the
// workflow ended starts it again under the same id; the workflow ends once no run waits.
import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ScriptActivities, SceneRender } from '../activities/script/index.ts';
import {
  COMPOSE_TIMEOUT_MS,
  MEDIA_HEARTBEAT_TIMEOUT_MS,
  MEDIA_MAX_ATTEMPTS,
  SCENE_PARALLELISM,
  SCRIPT_FAILURE_TYPES,
  STATUS_AFTER_RUN,
  STORAGE_UNAVAILABLE_DETAIL,
  VOICE_TIMEOUT_MS,
  type RunOutcome,
} from '../domain/script.ts';
import { FAILURE_TYPES } from '../domain/failures.ts';
import { STORING_RETRY_MAX_INTERVAL_MS } from '../domain/storing.ts';
import { searchAttributes, workflowIds } from '../domain/temporal.ts';
import { MINUTE, SECOND } from '../domain/time.ts';
import { generationWorkflow } from './generation.ts';

// ---------------------------------------------------------------- messages

export interface ScriptInput {
  projectId: string;
  userId: string;
}

/** A run the API created (its revision row, jobs and reservations, in one transaction). */
export interface RunRequest {
  revisionId: string;
}

export type SceneRunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** The workflow's own view, for operators in the Web UI; the platform reads PostgreSQL. */
export interface ScriptState {
  projectId: string;
  revisionId: string | null;
  phase: 'waiting' | 'rendering' | 'voicing' | 'composing' | 'finishing';
  scenes: { position: number; jobId: string; status: SceneRunStatus }[];
  /** How the last run ended. */
  outcome: RunOutcome | null;
  runs: number;
}

export const runSignal = defineSignal<[RunRequest]>('run');
/** Cancels the running run (its running scenes through their own cancellation); answers when it ended. */
export const cancelUpdate = defineUpdate<ScriptState, [{ requestedBy: string }]>('cancel');
/**
 * A run's cancel Temporal did not take when asked (kept on its revision, told by the
 * untold-signals sweep). It names its run: told late, it must not stop a later one, and
 * told before its run began (a run saved while Temporal did not answer), the run begins
 * cancelled.
 */
export const cancelRequestedSignal =
  defineSignal<[{ requestedBy: string; revisionId: string }]>('cancelRequested');
export const progressQuery = defineQuery<ScriptState>('progress');

// ---------------------------------------------------------------- activities

// Database steps retry until the database answers: a run must always reach its end.
const records = proxyLocalActivities<ScriptActivities>({
  startToCloseTimeout: 30 * SECOND,
  retry: { initialInterval: SECOND, backoffCoefficient: 2, maximumInterval: MINUTE },
});
// The steps themselves decide when to stop (activities/storing.ts): after MEDIA_ATTEMPTS
// of their own failures, or once our storage's wait is over; these attempts are a backstop.
const mediaRetry = {
  initialInterval: 2 * SECOND,
  backoffCoefficient: 2,
  maximumInterval: STORING_RETRY_MAX_INTERVAL_MS,
  maximumAttempts: MEDIA_MAX_ATTEMPTS,
  nonRetryableErrorTypes: Object.values(SCRIPT_FAILURE_TYPES),
};
const voicing = proxyActivities<ScriptActivities>({
  startToCloseTimeout: VOICE_TIMEOUT_MS,
  heartbeatTimeout: MEDIA_HEARTBEAT_TIMEOUT_MS,
  retry: mediaRetry,
});
const composing = proxyActivities<ScriptActivities>({
  startToCloseTimeout: COMPOSE_TIMEOUT_MS,
  heartbeatTimeout: MEDIA_HEARTBEAT_TIMEOUT_MS,
  retry: mediaRetry,
});

// ---------------------------------------------------------------- the workflow

interface Flags {
  queue: RunRequest[];
  seen: Set<string>;
  cancelRequested: boolean;
  /** The runs whose cancel was told by signal, begun or not. */
  cancelledRuns: Set<string>;
  running: boolean;
}

export async function scriptWorkflow(input: ScriptInput): Promise<ScriptState> {
  const state: ScriptState = {
    projectId: input.projectId,
    revisionId: null,
    phase: 'waiting',
    scenes: [],
    outcome: null,
    runs: 0,
  };
  const flags: Flags = {
    queue: [],
    seen: new Set(),
    cancelRequested: false,
    cancelledRuns: new Set(),
    running: false,
  };
  listen(state, flags);
  // The run that started the workflow arrives with it; later ones while a run goes on.
  await condition(() => flags.queue.length > 0);
  while (flags.queue.length > 0) {
    const request = flags.queue.shift()!;
    flags.running = true;
    flags.cancelRequested = flags.cancelledRuns.has(request.revisionId);
    try {
      await run(input, state, flags, request);
    } finally {
      flags.running = false;
      state.phase = 'waiting';
    }
  }
  return state;
}

function listen(state: ScriptState, flags: Flags): void {
  setHandler(progressQuery, () => state);
  setHandler(runSignal, (request) => {
    // A create retried by the API may signal the same run twice.
    if (flags.seen.has(request.revisionId)) return;
    flags.seen.add(request.revisionId);
    flags.queue.push(request);
  });
  setHandler(cancelRequestedSignal, ({ revisionId }) => {
    flags.cancelledRuns.add(revisionId);
    if (flags.running && state.revisionId === revisionId) flags.cancelRequested = true;
  });
  setHandler(
    cancelUpdate,
    async (_request) => {
      flags.cancelRequested = true;
      await condition(() => !flags.running);
      return state;
    },
    {
      validator: (_request) => {
        if (!flags.running) throw new Error('the project is not running');
      },
    },
  );
}

/** One run: the scenes, then the voice and the composition, then its end. */
async function run(input: ScriptInput, state: ScriptState, flags: Flags, request: RunRequest): Promise<void> {
  state.revisionId = request.revisionId;
  state.runs += 1;
  const plan = await records.beginScriptRun(request.revisionId);
  // Ended already (a signal repeated after its run finished): nothing to do again.
  if (!plan.running) return;
  state.phase = 'rendering';
  state.scenes = plan.renders.map((r) => ({ position: r.position, jobId: r.jobId, status: 'pending' }));
  const rendered = await renderScenes(input, state, flags, plan.renders);
  let outcome: RunOutcome = rendered.outcome;
  let detail: string | undefined;
  if (outcome === 'composed') {
    try {
      await media(flags, async () => {
        state.phase = 'voicing';
        await voicing.makeVoiceTrack({ revisionId: request.revisionId });
        state.phase = 'composing';
        await composing.composeRevision({ revisionId: request.revisionId });
      });
    } catch (err) {
      outcome = isCancellation(err) ? 'cancelled' : 'failed';
      const cause = err instanceof Error ? err.cause : undefined;
      // Our storage's own error names our hosts: the person is told only that it did not answer.
      detail =
        cause instanceof ApplicationFailure && cause.type === FAILURE_TYPES.storageUnavailable
          ? STORAGE_UNAVAILABLE_DETAIL
          : cause instanceof Error
            ? cause.message
            : err instanceof Error
              ? err.message
              : String(err);
    }
  }
  state.phase = 'finishing';
  await records.finishScriptRun({
    revisionId: request.revisionId,
    outcome,
    unstartedJobIds: rendered.unstarted,
    detail,
  });
  state.outcome = outcome;
  upsertSearchAttributes([{ key: searchAttributes.jobStatus, value: STATUS_AFTER_RUN[outcome] }]);
}

/** Runs `step` so that a cancellation of the run stops it (its activity is cancelled). */
async function media(flags: Flags, step: () => Promise<void>): Promise<void> {
  const scope = new CancellationScope();
  // Left waiting when the step ends first: a workflow may end with conditions pending.
  void condition(() => flags.cancelRequested).then(() => scope.cancel());
  await scope.run(step);
}

/**
 * The scenes as child jobs, at most SCENE_PARALLELISM at once. A scene that fails is
 * refunded by its own workflow and the others go on; a cancellation (the project's, or
 * a scene's own: an account deletion, say) cancels the running scenes and starts no more.
 */
async function renderScenes(
  input: ScriptInput,
  state: ScriptState,
  flags: Flags,
  renders: readonly SceneRender[],
): Promise<{ outcome: RunOutcome; unstarted: string[] }> {
  const pending = [...renders];
  const running = new Set<string>();
  const scope = new CancellationScope();
  let stopping = false;
  const mark = (jobId: string, status: SceneRunStatus) => {
    const scene = state.scenes.find((s) => s.jobId === jobId);
    if (scene) scene.status = status;
  };
  const start = (render: SceneRender) => {
    running.add(render.jobId);
    mark(render.jobId, 'running');
    void scope
      .run(() => renderScene(input, render))
      .then((status) => mark(render.jobId, status))
      .finally(() => running.delete(render.jobId));
  };
  for (;;) {
    const cancelledScene = state.scenes.some((s) => s.status === 'cancelled');
    if (!stopping && (flags.cancelRequested || cancelledScene)) {
      stopping = true;
      scope.cancel();
    }
    while (!stopping && running.size < SCENE_PARALLELISM && pending.length > 0) start(pending.shift()!);
    if (running.size === 0) break;
    const before = running.size;
    await condition(() => running.size < before || (flags.cancelRequested && !stopping));
  }
  const statuses = state.scenes.map((s) => s.status);
  const outcome: RunOutcome = stopping
    ? 'cancelled'
    : statuses.every((s) => s === 'succeeded')
      ? 'composed'
      : 'incomplete';
  return { outcome, unstarted: pending.map((r) => r.jobId) };
}

/** One scene's child job; its status once it ended. */
async function renderScene(input: ScriptInput, render: SceneRender): Promise<SceneRunStatus> {
  try {
    const ended = await executeChild(generationWorkflow, {
      workflowId: workflowIds.generation(render.jobId),
      args: [
        {
          jobId: render.jobId,
          userId: input.userId,
          modelId: render.modelId,
          provider: render.provider,
          credits: render.credits,
          fallbackAllowed: false,
        },
      ],
      // Should this workflow ever be closed under them, the scenes cancel themselves
      // (and refund) rather than be cut off with their credits reserved.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: [
        { key: searchAttributes.userId, value: input.userId },
        { key: searchAttributes.jobStatus, value: 'moderating' },
      ],
    });
    if (ended.status === 'succeeded') return 'succeeded';
    return ended.status === 'cancelled' ? 'cancelled' : 'failed';
  } catch (err) {
    // Cancelled (its own end ran: refund, temporary files), or it could not start.
    return isCancellation(err) || isCancellation((err as { cause?: unknown }).cause) ? 'cancelled' : 'failed';
  }
}
