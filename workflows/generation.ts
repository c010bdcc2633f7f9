// One durable workflow per generation job (`generation-<jobId>`): moderation (with a
// human review when it is borderline), credits, exactly one submission to the provider,
// waiting for the result (the provider's webhook as a signal, polling as the fallback),
// copying the video into our storage with its 7-day retention started at once, then the
// charge. Whatever ends a job without a video releases its credits with the reason, and
// temporary files are deleted as soon as the job ends (R-TEMP).
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import type { GenerationActivities, OutputSource, ProviderChoice } from '../activities/generation/index.ts';
import type { ProviderTaskState } from '../providers/types.ts';
import type { StorageActivities } from '../activities/storage/index.ts';
import {
  FAILURE_MESSAGES,
  JOB_TIMEOUT_MS,
  MAX_POLL_INTERVAL_MS,
  OUTPUT_COPY_TIMEOUT_MS,
  REVIEW_TIMEOUT_MS,
  isTerminal,
  type FailureCode,
  type JobStatus,
} from '../domain/generation.ts';
import { findModel, type ProviderName } from '../domain/models.ts';
import { MINUTE, SECOND } from '../domain/time.ts';
import { assetRetentionWorkflow, retentionInputFor, retentionWorkflowOptions } from './retention.ts';

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
  /** 1 in production; tests shorten the job's timeouts with it. */
  timeScale: number;
}

export interface GenerationState {
  jobId: string;
  status: JobStatus;
  modelId: string;
  provider: ProviderName;
  /** 0..1, where the provider reports it. */
  progress: number | null;
  queuePosition: number | null;
  etaSeconds: number | null;
  providerTaskId: string | null;
  outputAssetId: string | null;
  creditsReserved: number;
  creditsCharged: number | null;
  failureCode: FailureCode | null;
  /** Why the job is held or ended, in words a creator understands. */
  message: string | null;
  fellBack: boolean;
}

/** A provider's webhook (or our own renderer's progress): a hint to look now. */
export type ProviderUpdate = Partial<ProviderTaskState> & { taskId: string };
export interface ReviewDecision {
  approved: boolean;
  reviewerId: string;
  reason: string;
}

export const jobStatusSearchAttribute = defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD);

export const progressQuery = defineQuery<GenerationState>('progress');
export const providerUpdateSignal = defineSignal<[ProviderUpdate]>('providerUpdate');
export const reviewDecisionSignal = defineSignal<[ReviewDecision]>('reviewDecision');
/** Cancels the job (and its provider task) and answers with the final state. */
export const cancelUpdate = defineUpdate<GenerationState, [{ requestedBy: string }]>('cancel');

// ---------------------------------------------------------------- activities

const NOT_RETRYABLE = [
  'JobNotFound',
  'InsufficientCredits',
  'ProviderUnavailable',
  'ProviderNotConfigured',
  'SubmissionOutcomeUnknown',
  'InputMissing',
  'NoProviderTask',
  'Provider_moderation_input',
  'Provider_moderation_output',
  'Provider_invalid_request',
  'Provider_unauthorized',
  'Provider_provider_account',
  'Provider_not_found',
];

// Database steps retry until the database answers: a job must always reach its end.
const records = proxyActivities<GenerationActivities>({
  startToCloseTimeout: 30 * SECOND,
  retry: {
    initialInterval: SECOND,
    backoffCoefficient: 2,
    maximumInterval: MINUTE,
    nonRetryableErrorTypes: NOT_RETRYABLE,
  },
});
// Status writes are small and frequent: as local activities they cost no task-queue round
// trip (the job's status is also in the workflow's own state and search attribute).
const statusWrites = proxyLocalActivities<GenerationActivities>({
  startToCloseTimeout: 10 * SECOND,
  retry: {
    initialInterval: SECOND,
    backoffCoefficient: 2,
    maximumInterval: MINUTE,
    nonRetryableErrorTypes: NOT_RETRYABLE,
  },
});
// Provider calls: a bounded number of tries, honouring the provider's Retry-After.
const providers = proxyActivities<GenerationActivities>({
  // Longer than one provider request (its own timeout), short enough that a crashed
  // worker's attempt is retried soon.
  startToCloseTimeout: 45 * SECOND,
  retry: {
    initialInterval: 2 * SECOND,
    backoffCoefficient: 2,
    maximumInterval: MINUTE,
    maximumAttempts: 8,
    nonRetryableErrorTypes: NOT_RETRYABLE,
  },
});
const rendering = proxyActivities<GenerationActivities>({
  startToCloseTimeout: 30 * MINUTE,
  heartbeatTimeout: 30 * SECOND,
  retry: { initialInterval: 2 * SECOND, maximumAttempts: 3, nonRetryableErrorTypes: NOT_RETRYABLE },
});
const copying = proxyActivities<GenerationActivities>({
  startToCloseTimeout: OUTPUT_COPY_TIMEOUT_MS,
  heartbeatTimeout: MINUTE,
  retry: {
    initialInterval: 2 * SECOND,
    backoffCoefficient: 2,
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['OutputDownloadFailed', ...NOT_RETRYABLE],
  },
});
const storage = proxyActivities<StorageActivities>({
  startToCloseTimeout: MINUTE,
  retry: {
    initialInterval: SECOND,
    backoffCoefficient: 2,
    maximumInterval: MINUTE,
    nonRetryableErrorTypes: ['AssetNotFound'],
  },
});

const failureType = (err: unknown) =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure
    ? err.cause.type
    : err instanceof ApplicationFailure
      ? err.type
      : undefined;

const isProviderDown = (err: unknown) =>
  ['ProviderUnavailable', 'Provider_unavailable', 'Provider_rate_limited'].includes(failureType(err) ?? '');

/** The failure code a workflow error ends the job with. */
function failureOf(err: unknown): { status: 'failed' | 'rejected'; code: FailureCode } {
  switch (failureType(err)) {
    case 'Provider_moderation_input':
      return { status: 'rejected', code: 'moderation_refused' };
    case 'Provider_moderation_output':
      return { status: 'rejected', code: 'moderation_output' };
    case 'ProviderUnavailable':
    case 'Provider_unavailable':
    case 'Provider_rate_limited':
      return { status: 'failed', code: 'provider_unavailable' };
    case 'SubmissionOutcomeUnknown':
    case 'Provider_timeout':
      return { status: 'failed', code: 'submission_outcome_unknown' };
    case 'OutputDownloadFailed':
      return { status: 'failed', code: 'output_unavailable' };
    default:
      return { status: 'failed', code: 'provider_failed' };
  }
}

// ---------------------------------------------------------------- the workflow

export async function generationWorkflow(input: GenerationInput): Promise<GenerationState> {
  const { jobId } = input;
  const state: GenerationState = {
    jobId,
    status: 'moderating',
    modelId: input.modelId,
    provider: input.provider,
    progress: null,
    queuePosition: null,
    etaSeconds: null,
    providerTaskId: null,
    outputAssetId: null,
    creditsReserved: input.credits,
    creditsCharged: null,
    failureCode: null,
    message: null,
    fellBack: false,
  };
  let cancelRequested = false;
  let review: ReviewDecision | undefined;
  let hints = 0;
  const tempAssets: string[] = [];
  const deadline = Date.now() + JOB_TIMEOUT_MS * input.timeScale;

  setHandler(progressQuery, () => state);
  setHandler(providerUpdateSignal, (update) => {
    hints++;
    if (typeof update.progress === 'number' && !isTerminal(state.status)) {
      state.progress = Math.max(state.progress ?? 0, Math.min(1, update.progress));
    }
  });
  setHandler(reviewDecisionSignal, (decision) => {
    if (state.status === 'awaiting_review') review ??= decision;
  });
  setHandler(
    cancelUpdate,
    async (_request) => {
      cancelRequested = true;
      await condition(() => isTerminal(state.status));
      return state;
    },
    {
      validator: (_request) => {
        if (isTerminal(state.status)) throw new Error(`the job has already ${state.status}`);
      },
    },
  );

  const setStatus = async (status: JobStatus, started = false) => {
    state.status = status;
    upsertSearchAttributes([{ key: jobStatusSearchAttribute, value: status }]);
    await statusWrites.setJobStatus(jobId, status, { started });
  };

  /** Ends the job: releases credits unless it succeeded, removes temp files, records the end. */
  const end = async (
    status: 'succeeded' | 'failed' | 'cancelled' | 'rejected',
    code?: FailureCode,
    detail?: string,
  ) => {
    await CancellationScope.nonCancellable(async () => {
      if (status !== 'succeeded') {
        await records.releaseCredits({ jobId, reason: code ?? 'provider_failed' });
        state.creditsCharged = 0;
      }
      for (const assetId of tempAssets) await storage.deleteAssetNow({ assetId, reason: 'job_finished' });
      await records.finishJob({ jobId, status, failureCode: code, failureDetail: detail });
    });
    state.failureCode = code ?? null;
    state.message = code ? FAILURE_MESSAGES[code] : null;
    if (status === 'succeeded') state.progress = 1;
    state.status = status;
    upsertSearchAttributes([{ key: jobStatusSearchAttribute, value: status }]);
    return state;
  };

  const remaining = () => Math.max(0, deadline - Date.now());

  try {
    // 1. Moderation (S-MOD): refuse clear violations, hold borderline ones for a person.
    const verdict = await records.moderateJob(jobId);
    if (verdict.verdict === 'refuse') return await end('rejected', 'moderation_refused', verdict.reason);
    if (verdict.verdict === 'review') {
      state.message = verdict.reason ?? null;
      await setStatus('awaiting_review');
      const decided = await condition(
        () => review !== undefined || cancelRequested,
        REVIEW_TIMEOUT_MS * input.timeScale,
      );
      if (cancelRequested) return await end('cancelled', 'cancelled');
      if (!decided || !review) return await end('rejected', 'review_expired');
      if (!review.approved) return await end('rejected', 'review_rejected', review.reason);
      state.message = null;
    }
    if (cancelRequested) return await end('cancelled', 'cancelled');

    // 2. Credits and the provider (its circuit breaker, a fallback where allowed).
    await records.ensureCreditsReserved(jobId);
    let choice: ProviderChoice = await records.chooseProvider(jobId);
    const useChoice = (c: ProviderChoice) => {
      choice = c;
      state.modelId = c.modelId;
      state.provider = c.provider;
      state.fellBack = c.fellBack;
    };
    useChoice(choice);
    await setStatus('queued', true);

    // 3. The video.
    let source: OutputSource;
    if (choice.provider === 'local') {
      const temp = await storage.createTempAsset({ assetId: uuid4(), userId: input.userId, jobId });
      tempAssets.push(temp.assetId);
      await setStatus('running');
      const scope = new CancellationScope();
      const render = scope.run(() => rendering.renderLocal({ jobId, tempObjectKey: temp.objectKey }));
      const outcome = await Promise.race([
        render.then(() => 'done' as const),
        condition(() => cancelRequested, remaining()).then((cancelled) =>
          cancelled ? ('cancel' as const) : ('timeout' as const),
        ),
      ]);
      if (outcome !== 'done') {
        scope.cancel();
        await render.catch(() => undefined);
        return outcome === 'cancel' ? await end('cancelled', 'cancelled') : await end('failed', 'timed_out');
      }
      source = { kind: 'object', objectKey: temp.objectKey };
    } else {
      let submitted: ProviderTaskState;
      try {
        submitted = await providers.submitToProvider(jobId);
      } catch (err) {
        // A provider that turned out to be down (its breaker now open) is worth one more
        // choice: the fallback, if the user allowed it. Anything else ends the job.
        if (!input.fallbackAllowed || !isProviderDown(err)) throw err;
        useChoice(await records.chooseProvider(jobId));
        submitted = await providers.submitToProvider(jobId);
      }
      const model = findModel(choice.modelId)!;
      state.providerTaskId = submitted.taskId;
      await setStatus('submitted');
      const interval = Math.min(
        MAX_POLL_INTERVAL_MS,
        model.webhooks
          ? Math.max(model.minPollIntervalMs, MAX_POLL_INTERVAL_MS / 2)
          : model.minPollIntervalMs,
      );
      let url: string | undefined;
      while (!url) {
        if (cancelRequested) {
          await providers.cancelProviderTask(jobId);
          return await end('cancelled', 'cancelled');
        }
        if (remaining() === 0) {
          await providers.cancelProviderTask(jobId);
          return await end('failed', 'timed_out');
        }
        // Hints are counted from before the poll, so a webhook that lands while the
        // poll is in flight still cuts the next wait short.
        const seen = hints;
        const task = await providers.pollProviderTask(jobId);
        state.queuePosition = task.queuePosition ?? null;
        state.etaSeconds = task.etaSeconds ?? null;
        if (typeof task.progress === 'number') state.progress = Math.max(state.progress ?? 0, task.progress);
        if (task.status === 'running' && state.status !== 'running') await setStatus('running');
        if (task.status === 'succeeded') {
          if (!task.outputUrl) return await end('failed', 'output_unavailable', 'the provider gave no video');
          url = task.outputUrl;
        } else if (task.status === 'failed') {
          const code = task.failure?.code;
          if (code === 'moderation_output')
            return await end('rejected', 'moderation_output', task.failure?.message);
          if (code === 'moderation_input')
            return await end('rejected', 'moderation_refused', task.failure?.message);
          return await end('failed', 'provider_failed', task.failure?.message);
        } else if (task.status === 'cancelled') {
          return await end('cancelled', 'cancelled', 'cancelled at the provider');
        } else {
          // A webhook (signal) cuts the wait short; polling covers a lost one.
          await condition(() => hints !== seen || cancelRequested, Math.min(interval, remaining()));
        }
      }
      source = { kind: 'url', url };
    }

    // 4. Into our own storage, with the 7-day retention timer started at once (R-OUT-7D).
    await setStatus('saving');
    const asset = await copying.storeOutput({ jobId, source });
    state.outputAssetId = asset.id;
    await startChild(assetRetentionWorkflow, {
      ...retentionWorkflowOptions(retentionInputFor(asset)),
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });

    // 5. The charge: exactly the price, or the cheaper fallback's (the difference goes back).
    await records.captureCredits({ jobId, credits: choice.credits });
    state.creditsCharged = choice.credits;
    return await end('succeeded');
  } catch (err) {
    if (isCancellation(err)) {
      // The workflow itself was cancelled (an operator, in the Web UI): end it cleanly.
      await CancellationScope.nonCancellable(() =>
        providers.cancelProviderTask(jobId).catch(() => undefined),
      );
      await end('cancelled', 'cancelled', 'cancelled by an operator');
      throw err;
    }
    const { status, code } = failureOf(err);
    const detail =
      err instanceof ActivityFailure ? err.cause?.message : err instanceof Error ? err.message : String(err);
    return await end(status, code, detail);
  }
}
