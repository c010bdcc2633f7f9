// One durable workflow per generation job (`generation-<jobId>`): moderation (with a
// human review when it is borderline), credits, exactly one submission to the provider,
// waiting for the result (the provider's webhook as a signal, polling as the fallback),
// copying the video into our storage with its 7-day retention started at once, then the
// charge. Whatever ends a job without a video releases its credits with the reason, and
// temporary files are deleted as soon as the job ends (R-TEMP).
//
// Lean by design (about 7 actions for a job whose provider answers at once): the
// database-only steps are two local activities keyed by the job id (start: moderation,
// reservation, provider choice; finish: charge or refund, temporary files, the end),
// every activity writes the job's live status to PostgreSQL itself (the API reads it
// from there, never from this workflow), and the status search attribute is set when the
// job starts and upserted once, at its end.
import {
  ActivityFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { GenerationActivities, JobStart, OutputSource } from '../activities/generation/index.ts';
import {
  FAILURE_MESSAGES,
  JOB_TIMEOUT_MS,
  MAX_POLL_INTERVAL_MS,
  OUTPUT_COPY_MAX_ATTEMPTS,
  OUTPUT_COPY_TIMEOUT_MS,
  RENDER_MAX_ATTEMPTS,
  REVIEW_TIMEOUT_MS,
  isTerminal,
  type EndStatus,
  type FailureCode,
  type JobStatus,
} from '../domain/generation.ts';
import { GENERATION_FAILURES, failureOf, isProviderDown } from '../domain/failures.ts';
import { findModel, type ProviderName } from '../domain/models.ts';
import type { JobReviewSubject } from '../domain/moderation.ts';
import { STORING_RETRY_MAX_INTERVAL_MS } from '../domain/storing.ts';
import { searchAttributes } from '../domain/temporal.ts';
import { MINUTE, SECOND } from '../domain/time.ts';
import type { ProviderTaskState } from '../providers/types.ts';

// ---------------------------------------------------------------- messages

export interface GenerationInput {
  jobId: string;
  userId: string;
  modelId: string;
  provider: ProviderName;
  /** Credits reserved when the job was created. */
  credits: number;
  /** The user allowed another provider, at no higher price, when the chosen one is down. */
  fallbackAllowed: boolean;
  /** D-ADM: a re-run of a refused job, for a person's review: it waits for the reviewer first. */
  reviewRequested?: boolean;
}

/** The workflow's own view, for operators in the Web UI; the platform reads PostgreSQL. */
export interface GenerationState {
  jobId: string;
  status: JobStatus;
  modelId: string;
  provider: ProviderName;
  providerTaskId: string | null;
  outputAssetId: string | null;
  creditsReserved: number;
  creditsCharged: number | null;
  failureCode: FailureCode | null;
  /** Why the job is held or ended, in words a creator understands. */
  message: string | null;
  fellBack: boolean;
}

/** A provider's webhook: a hint to look now. */
export type ProviderUpdate = Partial<ProviderTaskState> & { taskId: string };
export interface ReviewDecision {
  approved: boolean;
  reviewerId: string;
  reason: string;
  /** Absent from decisions sent before it was added: those count only while a review is open. */
  subject?: JobReviewSubject;
}

/**
 * Decisions kept by what they decide, whenever they come. Workflows started by the code
 * before it heard a decision only while its review was open (their histories replay so).
 */
const DECISIONS_BY_SUBJECT = 'review-decisions-by-subject';

export const progressQuery = defineQuery<GenerationState>('progress');
export const providerUpdateSignal = defineSignal<[ProviderUpdate]>('providerUpdate');
export const reviewDecisionSignal = defineSignal<[ReviewDecision]>('reviewDecision');
/** Cancels the job (and its provider task) and answers with the final state. */
export const cancelUpdate = defineUpdate<GenerationState, [{ requestedBy: string }]>('cancel');
/**
 * A cancel asked for while Temporal did not answer, told later by the untold-signals
 * sweep: the same cancel, with no one waiting for its answer.
 */
export const cancelRequestedSignal = defineSignal<[{ requestedBy: string }]>('cancelRequested');

// ---------------------------------------------------------------- activities

const retryUntilAnswered = {
  initialInterval: SECOND,
  backoffCoefficient: 2,
  maximumInterval: MINUTE,
  nonRetryableErrorTypes: [...GENERATION_FAILURES],
};
// Database steps retry until the database answers: a job must always reach its end.
const records = proxyLocalActivities<GenerationActivities>({
  startToCloseTimeout: 30 * SECOND,
  retry: retryUntilAnswered,
});
// Provider calls: a bounded number of tries, honouring the provider's Retry-After.
const providers = proxyActivities<GenerationActivities>({
  // Longer than one provider request (its own timeout), short enough that a crashed
  // worker's attempt is retried soon.
  startToCloseTimeout: 45 * SECOND,
  retry: { ...retryUntilAnswered, initialInterval: 2 * SECOND, maximumAttempts: 8 },
});
// The render, as the copy, says itself when to stop trying (activities/generation/render.ts).
const rendering = proxyActivities<GenerationActivities>({
  startToCloseTimeout: 30 * MINUTE,
  heartbeatTimeout: 30 * SECOND,
  retry: {
    initialInterval: 2 * SECOND,
    backoffCoefficient: 2,
    maximumInterval: STORING_RETRY_MAX_INTERVAL_MS,
    maximumAttempts: RENDER_MAX_ATTEMPTS,
    nonRetryableErrorTypes: [...GENERATION_FAILURES],
  },
});
// The copy says itself when to stop trying: our store's failures for longer than the
// provider's (activities/generation/output.ts); the attempts here are only a backstop.
const copying = proxyActivities<GenerationActivities>({
  startToCloseTimeout: OUTPUT_COPY_TIMEOUT_MS,
  heartbeatTimeout: MINUTE,
  retry: {
    initialInterval: 2 * SECOND,
    backoffCoefficient: 2,
    maximumInterval: STORING_RETRY_MAX_INTERVAL_MS,
    maximumAttempts: OUTPUT_COPY_MAX_ATTEMPTS,
    nonRetryableErrorTypes: ['OutputDownloadFailed', ...GENERATION_FAILURES],
  },
});

// ---------------------------------------------------------------- the workflow

/** One job's run: its input, the state the query returns, and what its messages set. */
interface Run {
  input: GenerationInput;
  state: GenerationState;
  flags: {
    cancelRequested: boolean;
    hints: number;
    review: ReviewDecision | undefined;
    decisions: Partial<Record<JobReviewSubject, ReviewDecision>>;
  };
  deadline: number;
}
type Ended = { ended: true };
type Admitted = Extract<JobStart, { verdict: 'allow' }>;

export async function generationWorkflow(input: GenerationInput): Promise<GenerationState> {
  const run: Run = {
    input,
    state: {
      jobId: input.jobId,
      status: 'moderating',
      modelId: input.modelId,
      provider: input.provider,
      providerTaskId: null,
      outputAssetId: null,
      creditsReserved: input.credits,
      creditsCharged: null,
      failureCode: null,
      message: null,
      fellBack: false,
    },
    flags: { cancelRequested: false, hints: 0, review: undefined, decisions: {} },
    deadline: Date.now() + JOB_TIMEOUT_MS,
  };
  listen(run);
  try {
    const admitted = await admit(run);
    if ('ended' in admitted) return run.state;
    const source =
      admitted.provider === 'local' ? await renderLocally(run) : await generateRemotely(run, admitted);
    if ('ended' in source) return run.state;
    // Into our own storage, its 7-day retention started there at once (R-OUT-7D), its
    // frames scored first (S-MOD): a held video waits for a person before its release.
    run.state.status = 'saving';
    const asset = await copying.storeOutput({ jobId: input.jobId, source });
    run.state.outputAssetId = asset.id;
    if (asset.moderation === 'held' && 'ended' in (await awaitRelease(run, asset.reason))) return run.state;
    await end(run, 'succeeded');
  } catch (err) {
    if (isCancellation(err)) {
      // The workflow itself was cancelled (an operator, in the Web UI): end it cleanly.
      await CancellationScope.nonCancellable(() =>
        providers.cancelProviderTask(input.jobId).catch(() => undefined),
      );
      await end(run, 'cancelled', 'cancelled', 'cancelled by an operator');
      throw err;
    }
    const { status, code } = failureOf(err);
    const detail =
      err instanceof ActivityFailure ? err.cause?.message : err instanceof Error ? err.message : String(err);
    await end(run, status, code, detail);
  }
  return run.state;
}

function listen(run: Run): void {
  const { state, flags } = run;
  setHandler(progressQuery, () => state);
  setHandler(providerUpdateSignal, () => {
    flags.hints++;
  });
  setHandler(reviewDecisionSignal, (decision) => {
    // The job's row says it waits for a person as soon as the review opens, which can be
    // before this workflow has run (a re-run) or in the task that opens it here: a decision
    // that quick is kept for its review, not dropped (D-ADM).
    if (decision.subject && patched(DECISIONS_BY_SUBJECT)) flags.decisions[decision.subject] ??= decision;
    else if (state.status === 'awaiting_review') flags.review ??= decision;
  });
  setHandler(cancelRequestedSignal, (_request) => {
    if (!isTerminal(state.status)) flags.cancelRequested = true;
  });
  setHandler(
    cancelUpdate,
    async (_request) => {
      flags.cancelRequested = true;
      await condition(() => isTerminal(state.status));
      return state;
    },
    {
      validator: (_request) => {
        if (isTerminal(state.status)) throw new Error(`the job has already ${state.status}`);
      },
    },
  );
}

const remaining = (run: Run) => Math.max(0, run.deadline - Date.now());

/** Ends the job: charges or refunds, removes temporary files, records the end. */
async function end(run: Run, status: EndStatus, code?: FailureCode, detail?: string): Promise<Ended> {
  const { state } = run;
  const finished = await CancellationScope.nonCancellable(() =>
    records.finishJob({ jobId: run.input.jobId, status, failureCode: code, failureDetail: detail }),
  );
  state.creditsCharged = finished.creditsCharged;
  state.failureCode = code ?? null;
  state.message = code ? FAILURE_MESSAGES[code] : null;
  state.status = status;
  upsertSearchAttributes([{ key: searchAttributes.jobStatus, value: status }]);
  return { ended: true };
}

function useChoice(run: Run, start: Admitted): Admitted {
  run.state.modelId = start.modelId;
  run.state.provider = start.provider;
  run.state.fellBack = start.fellBack;
  run.state.status = 'queued';
  return start;
}

/** Waits for a person's decision (or a cancellation, or the review's time running out). */
async function reviewed(
  run: Run,
  subject: JobReviewSubject,
  reason: string | null,
): Promise<Ended | undefined> {
  const { state, flags } = run;
  state.status = 'awaiting_review';
  state.message = reason;
  flags.review = undefined;
  const decided = await condition(
    () => flags.review !== undefined || flags.decisions[subject] !== undefined || flags.cancelRequested,
    REVIEW_TIMEOUT_MS,
  );
  // Set by the signal handler, maybe while waiting: read it as the handler left it.
  const decision = (flags.decisions[subject] ?? flags.review) as ReviewDecision | undefined;
  if (flags.cancelRequested) return end(run, 'cancelled', 'cancelled');
  if (!decided || !decision) return end(run, 'rejected', 'review_expired');
  if (!decision.approved) return end(run, 'rejected', 'review_rejected', decision.reason);
  state.message = null;
  return undefined;
}

/** A video whose frames the classifier held is released only by a person (S-MOD). */
async function awaitRelease(run: Run, reason: string | null): Promise<Ended | { released: true }> {
  return (await reviewed(run, 'output', reason)) ?? { released: true };
}

/**
 * Moderation (S-MOD), then, when held, a person's decision; the provider chosen if it may
 * go on. A re-run asked for after a refusal (D-ADM) goes to the person straight away.
 */
async function admit(run: Run): Promise<Admitted | Ended> {
  let start: JobStart = run.input.reviewRequested
    ? { verdict: 'review', reason: null }
    : await records.startJob({ jobId: run.input.jobId, reviewed: false });
  if (start.verdict === 'refuse')
    return end(run, 'rejected', 'moderation_refused', start.reason ?? undefined);
  if (start.verdict === 'review') {
    const ended = await reviewed(run, 'prompt', start.reason);
    if (ended) return ended;
    start = await records.startJob({ jobId: run.input.jobId, reviewed: true });
  }
  const { flags } = run;
  if (start.verdict !== 'allow') return end(run, 'rejected', 'moderation_refused');
  if (flags.cancelRequested) return end(run, 'cancelled', 'cancelled');
  return useChoice(run, start);
}

/** The built-in renderer: a temporary render, cut short by a cancellation or the deadline. */
async function renderLocally(run: Run): Promise<OutputSource | Ended> {
  run.state.status = 'running';
  const scope = new CancellationScope();
  const render = scope.run(() => rendering.renderLocal({ jobId: run.input.jobId }));
  const outcome = await Promise.race([
    render.then((rendered) => ({ rendered })),
    condition(() => run.flags.cancelRequested, remaining(run)).then((cancelled) => ({ cancelled })),
  ]);
  if ('rendered' in outcome) return { kind: 'object', objectKey: outcome.rendered.objectKey };
  scope.cancel();
  // The render registered its temporary file first: the end deletes whatever it left (R-TEMP).
  await render.catch(() => undefined);
  return outcome.cancelled ? end(run, 'cancelled', 'cancelled') : end(run, 'failed', 'timed_out');
}

/** Exactly one submission; then the webhook (a signal) or polling until the task ends. */
async function generateRemotely(run: Run, choice: Admitted): Promise<OutputSource | Ended> {
  const { jobId } = run.input;
  const { state, flags } = run;
  let submitted: ProviderTaskState;
  try {
    submitted = await providers.submitToProvider(jobId);
  } catch (err) {
    // A provider that turned out to be down (its breaker now open) is worth one more
    // choice: the fallback, if the user allowed it. Anything else ends the job.
    if (!run.input.fallbackAllowed || !isProviderDown(err)) throw err;
    choice = useChoice(run, await records.fallBack(jobId));
    submitted = await providers.submitToProvider(jobId);
  }
  state.providerTaskId = submitted.taskId;
  state.status = 'submitted';
  const interval = pollInterval(choice.modelId);
  for (;;) {
    if (flags.cancelRequested || remaining(run) === 0) {
      await providers.cancelProviderTask(jobId);
      return flags.cancelRequested ? end(run, 'cancelled', 'cancelled') : end(run, 'failed', 'timed_out');
    }
    // Hints are counted from before the poll, so a webhook that lands while the poll is
    // in flight still cuts the next wait short.
    const seen = flags.hints;
    // The task this workflow submitted, so the poll reads nothing of the job first. Only
    // the activity's input changed, not the commands, so replay needs no patch; a poll
    // scheduled with a bare job id before the change is still served.
    const task = await providers.pollProviderTask({
      jobId,
      provider: choice.provider,
      taskId: submitted.taskId,
    });
    if (task.status === 'running') state.status = 'running';
    if (task.status === 'succeeded') {
      if (!task.outputUrl) return end(run, 'failed', 'output_unavailable', 'the provider gave no video');
      return { kind: 'url', url: task.outputUrl };
    }
    if (task.status === 'failed') return end(run, ...providerFailure(task));
    if (task.status === 'cancelled') return end(run, 'cancelled', 'cancelled', 'cancelled at the provider');
    // A webhook (signal) cuts the wait short; polling covers a lost one.
    await condition(() => flags.hints !== seen || flags.cancelRequested, Math.min(interval, remaining(run)));
  }
}

/** Webhooks can be lost: poll at least every MAX_POLL_INTERVAL_MS, never under the provider's minimum. */
function pollInterval(modelId: string): number {
  const model = findModel(modelId)!;
  return Math.min(
    MAX_POLL_INTERVAL_MS,
    model.webhooks ? Math.max(model.minPollIntervalMs, MAX_POLL_INTERVAL_MS / 2) : model.minPollIntervalMs,
  );
}

function providerFailure(task: ProviderTaskState): [EndStatus, FailureCode, string | undefined] {
  const code = task.failure?.code;
  if (code === 'moderation_output') return ['rejected', 'moderation_output', task.failure?.message];
  if (code === 'moderation_input') return ['rejected', 'moderation_refused', task.failure?.message];
  return ['failed', 'provider_failed', task.failure?.message];
}
