// The provider calls of a job: exactly one submission, polls that record the task's live
// state on the job, and cancellation. Each is keyed by the job id and checks what is
// already done before acting: above all, a provider task is never submitted twice
// blindly. A submission's recipient is recorded for erasure notices (D-RECIPIENTS).
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { GenerationJob } from '../../db/entities/index.ts';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
import { FAILURE_TYPES } from '../../domain/failures.ts';
import { HOUR } from '../../domain/time.ts';
import { findModel, type ProviderName } from '../../domain/models.ts';
import { presignDownload } from '../../platform/objects.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import { createProviderAdapters } from '../../providers/index.ts';
import {
  ProviderError,
  type GenerationRequest,
  type ProviderAdapter,
  type ProviderTaskState,
} from '../../providers/types.ts';
import { webhookUrlFor } from '../../providers/webhooks.ts';
import { Asset } from '../../db/entities/index.ts';
import {
  jobParameters,
  loadJob,
  loadJobWithChecks,
  markSubmitted,
  recordLiveState,
  recordRecipient,
  type RecipientEntry,
} from '../../stores/generation.ts';
import type { CarriedWrite } from '../../stores/sql-sets.ts';
import { providerSucceeded, recordProviderResult, viaBreaker } from './breaker.ts';
import { fail, toFailure } from './failures.ts';

/** How long a provider may keep a presigned input URL: long enough for a queue, short enough to expire. */
const INPUT_URL_TTL_SECONDS = (6 * HOUR) / 1000;

interface ProviderDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
}

export function createProviderActivities(deps: ProviderDeps) {
  const { orm } = deps;
  const adapters = createProviderAdapters(deps.config.providers);
  const adapterFor = (provider: ProviderName): ProviderAdapter => {
    const adapter = adapters[provider as Exclude<ProviderName, 'local'>];
    if (!adapter) throw fail(`provider ${provider} is not configured`, FAILURE_TYPES.providerNotConfigured);
    return adapter;
  };

  return {
    submitToProvider: (jobId: string) =>
      submitOnce(deps, adapterFor, jobId).catch((err: unknown) => {
        throw toFailure(err);
      }),

    /**
     * The task's state, recorded on the job as it is (status, progress, queue, ETA). The
     * workflow names the task it submitted, so a poll reads nothing first; a bare job id
     * comes from a workflow that scheduled its poll before that, and the task is looked up.
     */
    async pollProviderTask(polled: string | PolledTask): Promise<ProviderTaskState> {
      const { jobId, provider, taskId } = typeof polled === 'string' ? await taskOf(orm, polled) : polled;
      return viaBreaker(
        orm,
        provider,
        () => adapterFor(provider).getTask(taskId),
        (task, success) =>
          recordLiveState(
            orm.em.fork(),
            jobId,
            {
              ...(task.status === 'running' ? { status: 'running' as const } : {}),
              ...(typeof task.progress === 'number' ? { progress: task.progress } : {}),
              queuePosition: task.queuePosition ?? null,
              etaSeconds: task.etaSeconds ?? null,
            },
            success,
          ).catch((err: unknown) => {
            // What a poll writes is for the person watching, and the next poll writes it
            // again: the task is followed while the database does not answer, instead of
            // failing the poll's attempts (a provider's video would be abandoned).
            if (!isDatabaseUnavailable(err)) throw err;
          }),
      );
    },

    async cancelProviderTask(jobId: string): Promise<void> {
      const job = await loadJob(orm, jobId);
      if (!job.providerTaskId) return;
      const provider = job.provider as ProviderName;
      await viaBreaker(orm, provider, () => adapterFor(provider).cancel(job.providerTaskId!));
    },
  };
}

/** The provider task a job's workflow polls. */
export interface PolledTask {
  jobId: string;
  provider: ProviderName;
  taskId: string;
}

async function taskOf(orm: MikroORM, jobId: string): Promise<PolledTask> {
  const job = await loadJob(orm, jobId);
  if (!job.providerTaskId) throw fail('the job has no provider task yet', FAILURE_TYPES.noProviderTask);
  return { jobId, provider: job.provider as ProviderName, taskId: job.providerTaskId };
}

/**
 * Submits the job to its provider exactly once. The attempt is marked before the request
 * is sent; a retry that finds the mark and no task id knows the outcome is unknown, and
 * reconciles through the provider's API instead of sending again. A provider that cannot
 * be asked ends the job with a refund rather than risk a double.
 */
async function submitOnce(
  deps: ProviderDeps,
  adapterFor: (provider: ProviderName) => ProviderAdapter,
  jobId: string,
): Promise<ProviderTaskState> {
  const { orm } = deps;
  const { job, providerDown } = await loadJobWithChecks(orm, jobId);
  const provider = job.provider as ProviderName;
  const adapter = adapterFor(provider);
  const em = orm.em.fork();
  if (job.providerTaskId) {
    // A retry after the task id was saved: the recipients ledger may still miss it.
    await recordRecipient(em, recipientOf(job, job.providerTaskId));
    return { taskId: job.providerTaskId, status: 'queued' };
  }
  if (!job.submitAttemptedAt && providerDown) {
    throw fail(`${provider} is failing; its circuit breaker is open`, FAILURE_TYPES.providerUnavailable);
  }
  const request = await requestFor(deps, job);
  if (job.submitAttemptedAt) {
    const found = await reconcile(deps, adapter, job, request);
    if (found) return found;
  }
  await em.nativeUpdate(GenerationJob, { id: jobId }, { submitAttemptedAt: new Date() });
  try {
    const state = await adapter.submit(request);
    await submitted(em, job, state.taskId, providerSucceeded(provider));
    return state;
  } catch (err) {
    if (err instanceof ProviderError && !err.outcomeUnknown) {
      // The provider answered: nothing was accepted, so a later attempt may send again.
      await em.nativeUpdate(GenerationJob, { id: jobId }, { submitAttemptedAt: null });
    }
    if (err instanceof ProviderError && ['unavailable', 'timeout', 'rate_limited'].includes(err.code)) {
      await recordProviderResult(orm, provider, false);
    }
    throw toFailure(err);
  }
}

/** After a crash mid-submission: the provider's own list says whether it got the job. */
async function reconcile(
  deps: ProviderDeps,
  adapter: ProviderAdapter,
  job: GenerationJob,
  request: GenerationRequest,
): Promise<ProviderTaskState | null> {
  if (!adapter.findTask) {
    throw fail(
      'the provider may have received this job, and cannot be asked',
      FAILURE_TYPES.submissionOutcomeUnknown,
    );
  }
  const found = await viaBreaker(deps.orm, job.provider as ProviderName, () => adapter.findTask!(request));
  if (!found) return null;
  const em = deps.orm.em.fork();
  await submitted(em, job, found.taskId);
  await recordAudit(em, {
    action: 'job.submission_reconciled',
    actorRole: 'system',
    targetType: 'job',
    targetId: job.id,
    subjectUserId: job.user,
    details: { provider: job.provider },
  });
  return found;
}

const submitted = (em: EntityManager, job: GenerationJob, taskId: string, carried?: CarriedWrite) =>
  markSubmitted(em, recipientOf(job, taskId), carried);

/** The request as the adapter takes it: prompt, settings, presigned input images, webhook. */
async function requestFor(deps: ProviderDeps, job: GenerationJob): Promise<GenerationRequest> {
  const model = findModel(job.model)!;
  const p = jobParameters(job);
  const em = deps.orm.em.fork();
  const inputs = [];
  for (const input of p.inputs) {
    // Only an image moderation cleared, and no take-down removed, leaves for a provider (S-MOD).
    const asset = await em.findOne(Asset, {
      id: input.assetId,
      user: job.user,
      status: 'stored',
      moderation: { $in: ['passed', 'approved'] },
      takedownId: null,
    });
    if (!asset) throw fail('an input image is no longer stored', FAILURE_TYPES.inputMissing);
    const url = await presignDownload(deps.store, asset.objectKey, INPUT_URL_TTL_SECONDS);
    inputs.push({ url, role: input.role });
  }
  return {
    jobId: job.id,
    providerModel: model.providerModel,
    prompt: job.prompt,
    negativePrompt: p.negativePrompt,
    durationSeconds: p.durationSeconds,
    aspectRatio: p.aspectRatio,
    resolution: p.resolution,
    seed: p.seed,
    inputs,
    webhookUrl: model.webhooks ? webhookUrlFor(deps.config, model.provider, job.id) : undefined,
  };
}

/**
 * D-RECIPIENTS: the recipients ledger learns that this provider received the job's
 * prompt (and its input images), so an account deletion can ask it to erase them.
 */
const recipientOf = (job: GenerationJob, taskId: string): RecipientEntry => ({
  userId: job.user ?? null,
  jobId: job.id,
  provider: job.provider,
  taskId,
  inputCount: jobParameters(job).inputs?.length ?? 0,
});
