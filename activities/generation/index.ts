// Activities of the generation workflow: moderation, credits, the provider calls, the
// local renderer, and copying the finished video into our own storage. Each is keyed by
// the job id and checks what is already done before acting, so a retry after a crash
// repeats nothing: above all, a provider task is never submitted twice blindly.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config/index.ts';
import { CIRCUIT_BREAKER, type FailureCode, type JobStatus } from '../../domain/generation.ts';
import { MODELS, findModel, quoteCredits, type ModelSpec, type ProviderName } from '../../domain/models.ts';
import { moderatePrompt, type ModerationResult } from '../../domain/moderation.ts';
import { assetDeleteAt, assetObjectKey } from '../../domain/storage.ts';
import { UPLOAD_PART_BYTES, UPLOAD_PARTS_IN_FLIGHT } from '../../domain/storage.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { Asset, GenerationJob, ProviderHealth } from '../../db/entities/index.ts';
import { InsufficientCredits, writeLedger } from '../../db/ledger.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { createProviderAdapters, configuredProviders } from '../../providers/index.ts';
import { renderLocalVideo, resolutionSize } from '../../providers/local.ts';
import {
  ProviderError,
  type GenerationRequest,
  type ProviderAdapter,
  type ProviderTaskState,
} from '../../providers/types.ts';
import { presignDownload } from '../storage/objects.ts';
import { webhookUrlFor } from '../../providers/webhooks.ts';

export interface GenerationDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
}

export interface JobParameters {
  negativePrompt?: string;
  durationSeconds: number;
  aspectRatio: string;
  resolution: string;
  seed?: number;
  inputs: { assetId: string; role: 'first_frame' | 'last_frame' | 'reference' }[];
  fallbackAllowed?: boolean;
}

/** Where the finished video is: the provider's (expiring) URL, or our own temporary render. */
export type OutputSource = { kind: 'url'; url: string } | { kind: 'object'; objectKey: string };

export interface ProviderChoice {
  modelId: string;
  provider: ProviderName;
  /** What the job will be charged: never more than reserved; less when a cheaper fallback applies. */
  credits: number;
  fellBack: boolean;
}

/** How long a provider may keep a presigned input URL: long enough for a queue, short enough to expire. */
const INPUT_URL_TTL_SECONDS = 6 * 3600;
/** Progress is sent to the workflow at most this often (each report is one history event). */
const PROGRESS_REPORT_STEP = 0.05;

const fail = (message: string, type: string, details?: unknown) =>
  ApplicationFailure.nonRetryable(message, type, ...(details === undefined ? [] : [details]));

/** Provider errors as Temporal failures: retryable ones keep the provider's Retry-After. */
export function toFailure(err: unknown): unknown {
  if (!(err instanceof ProviderError)) return err;
  if (err.retryable) {
    return ApplicationFailure.create({
      message: err.message,
      type: `Provider_${err.code}`,
      nonRetryable: false,
      ...(err.retryAfterMs ? { nextRetryDelay: err.retryAfterMs } : {}),
    });
  }
  return fail(err.message, `Provider_${err.code}`, { code: err.code, outcomeUnknown: err.outcomeUnknown });
}

export function createGenerationActivities(deps: GenerationDeps) {
  const { orm, store, config, temporal } = deps;
  const adapters = createProviderAdapters(config.providers);

  function adapterFor(provider: ProviderName): ProviderAdapter {
    const adapter = adapters[provider as Exclude<ProviderName, 'local'>];
    if (!adapter) throw fail(`provider ${provider} is not configured`, 'ProviderNotConfigured');
    return adapter;
  }

  async function loadJob(jobId: string) {
    const job = await orm.em.fork().findOne(GenerationJob, { id: jobId });
    if (!job) throw fail(`no job ${jobId}`, 'JobNotFound');
    return job;
  }

  const params = (job: GenerationJob) => job.parameters as unknown as JobParameters;

  async function requestFor(job: GenerationJob): Promise<GenerationRequest> {
    const model = findModel(job.model)!;
    const p = params(job);
    const em = orm.em.fork();
    const inputs = [];
    for (const input of p.inputs) {
      const asset = await em.findOne(Asset, { id: input.assetId, user: job.user, status: 'stored' });
      if (!asset) throw fail('an input image is no longer stored', 'InputMissing');
      const url = await presignDownload(store, asset.objectKey, INPUT_URL_TTL_SECONDS);
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
      webhookUrl: model.webhooks ? webhookUrlFor(config, model.provider, job.id) : undefined,
    };
  }

  async function breakerOpen(provider: ProviderName): Promise<boolean> {
    const row = await orm.em.fork().findOne(ProviderHealth, { provider });
    return Boolean(row?.openUntil && row.openUntil.getTime() > Date.now());
  }

  async function recordProviderResult(provider: ProviderName, ok: boolean): Promise<void> {
    const em = orm.em.fork();
    if (ok) {
      await em.execute(
        `insert into provider_health (provider, consecutive_failures, open_until, last_success_at)
         values (?, 0, null, now())
         on conflict (provider) do update set consecutive_failures = 0, open_until = null, last_success_at = now()`,
        [provider],
      );
      return;
    }
    await em.execute(
      `insert into provider_health (provider, consecutive_failures, last_failure_at) values (?, 1, now())
       on conflict (provider) do update set
         consecutive_failures = provider_health.consecutive_failures + 1,
         last_failure_at = now(),
         open_until = case when provider_health.consecutive_failures + 1 >= ?
                           then now() + (? * interval '1 millisecond') else provider_health.open_until end`,
      [provider, CIRCUIT_BREAKER.failureThreshold, CIRCUIT_BREAKER.coolDownMs],
    );
  }

  /** Calls a provider, feeding the circuit breaker with what happened. */
  async function viaBreaker<T>(provider: ProviderName, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      await recordProviderResult(provider, true);
      return result;
    } catch (err) {
      const providerFault =
        err instanceof ProviderError &&
        ['unavailable', 'timeout', 'rate_limited', 'internal'].includes(err.code);
      if (providerFault) await recordProviderResult(provider, false);
      throw toFailure(err);
    }
  }

  /** Sends our own progress to the workflow (the local renderer has no provider to poll). */
  async function reportProgress(jobId: string, progress: number): Promise<void> {
    await temporal.client.workflow
      .getHandle(workflowIds.generation(jobId))
      .signal('providerUpdate', { taskId: `local:${jobId}`, status: 'running', progress })
      .catch(() => {});
  }

  return {
    /** S-MOD: automated moderation of the prompt; the verdict is recorded on the job. */
    async moderateJob(jobId: string): Promise<ModerationResult> {
      const job = await loadJob(jobId);
      const result = moderatePrompt(job.prompt, { hasImageInputs: params(job).inputs.length > 0 });
      const em = orm.em.fork();
      await em.nativeUpdate(
        GenerationJob,
        { id: jobId },
        { moderationVerdict: result.verdict, moderationCategories: result.categories },
      );
      if (result.verdict !== 'allow') {
        await recordAudit(em, {
          action: result.verdict === 'refuse' ? 'job.moderation_refused' : 'job.moderation_held',
          actorRole: 'system',
          targetType: 'job',
          targetId: jobId,
          subjectUserId: job.user,
          details: { categories: result.categories },
        });
      }
      return result;
    },

    async setJobStatus(jobId: string, status: JobStatus, extra: { started?: boolean } = {}): Promise<void> {
      await orm.em
        .fork()
        .nativeUpdate(
          GenerationJob,
          { id: jobId },
          { status, ...(extra.started ? { startedAt: new Date() } : {}) },
        );
    },

    /** The job's price is reserved when it is created; this confirms it (and reserves it if a path skipped that). */
    async ensureCreditsReserved(jobId: string): Promise<void> {
      const job = await loadJob(jobId);
      try {
        await writeLedger(orm.em.fork(), {
          userId: job.user!,
          kind: 'reserve',
          credits: job.creditsQuoted,
          jobId,
          note: `reserved for ${job.model}`,
        });
      } catch (err) {
        if (err instanceof InsufficientCredits) throw fail(err.message, 'InsufficientCredits');
        throw err;
      }
    },

    /**
     * The provider to use now: the chosen model unless its provider's circuit breaker is
     * open; then, if the user allowed it, the first other configured model that supports
     * the same request and costs no more than was reserved.
     */
    async chooseProvider(jobId: string): Promise<ProviderChoice> {
      const job = await loadJob(jobId);
      const model = findModel(job.model)!;
      const p = params(job);
      const asChoice = (m: ModelSpec, fellBack: boolean): ProviderChoice => ({
        modelId: m.id,
        provider: m.provider,
        credits: quoteCredits(m, p),
        fellBack,
      });
      if (model.provider === 'local' || !(await breakerOpen(model.provider))) {
        return { ...asChoice(model, false), credits: job.creditsQuoted };
      }
      if (!p.fallbackAllowed) throw fail(`${model.label} is unavailable right now`, 'ProviderUnavailable');
      const offered = new Set(configuredProviders(config.providers));
      for (const candidate of fallbackCandidates(model, p, job.creditsQuoted)) {
        if (!offered.has(candidate.provider) || (await breakerOpen(candidate.provider))) continue;
        await orm.em
          .fork()
          .nativeUpdate(
            GenerationJob,
            { id: jobId },
            { model: candidate.id, provider: candidate.provider, originalModel: model.id },
          );
        await recordAudit(orm.em.fork(), {
          action: 'job.fallback',
          actorRole: 'system',
          targetType: 'job',
          targetId: jobId,
          subjectUserId: job.user,
          details: { from: model.id, to: candidate.id },
        });
        return asChoice(candidate, true);
      }
      throw fail(`${model.label} is unavailable and no fallback fits`, 'ProviderUnavailable');
    },

    /**
     * Submits the job to its provider exactly once. The attempt is marked before the
     * request is sent; a retry that finds the mark and no task id knows the outcome is
     * unknown, and reconciles through the provider's API instead of sending again. A
     * provider that cannot be asked ends the job with a refund rather than risk a double.
     */
    async submitToProvider(jobId: string): Promise<ProviderTaskState> {
      const job = await loadJob(jobId);
      const provider = job.provider as ProviderName;
      const adapter = adapterFor(provider);
      if (job.providerTaskId) {
        // A retry after the task id was saved: the recipients ledger may still miss it.
        await recordRecipient(orm.em.fork(), job, job.providerTaskId);
        return { taskId: job.providerTaskId, status: 'queued' };
      }
      if (!job.submitAttemptedAt && (await breakerOpen(provider))) {
        throw fail(`${provider} is failing; its circuit breaker is open`, 'ProviderUnavailable');
      }
      const request = await requestFor(job);
      const em = orm.em.fork();
      if (job.submitAttemptedAt) {
        if (!adapter.findTask) {
          throw fail(
            'the provider may have received this job, and cannot be asked',
            'SubmissionOutcomeUnknown',
          );
        }
        const found = await viaBreaker(provider, () => adapter.findTask!(request));
        if (found) {
          await em.nativeUpdate(
            GenerationJob,
            { id: jobId },
            { providerTaskId: found.taskId, submittedAt: new Date() },
          );
          await recordRecipient(em, job, found.taskId);
          await recordAudit(em, {
            action: 'job.submission_reconciled',
            actorRole: 'system',
            targetType: 'job',
            targetId: jobId,
            subjectUserId: job.user,
            details: { provider },
          });
          return found;
        }
      }
      await em.nativeUpdate(GenerationJob, { id: jobId }, { submitAttemptedAt: new Date() });
      try {
        const state = await adapter.submit(request);
        await recordProviderResult(provider, true);
        await em.nativeUpdate(
          GenerationJob,
          { id: jobId },
          { providerTaskId: state.taskId, submittedAt: new Date(), submitAttemptedAt: null },
        );
        await recordRecipient(em, job, state.taskId);
        return state;
      } catch (err) {
        if (err instanceof ProviderError && !err.outcomeUnknown) {
          // The provider answered: nothing was accepted, so a later attempt may send again.
          await em.nativeUpdate(GenerationJob, { id: jobId }, { submitAttemptedAt: null });
        }
        if (err instanceof ProviderError && ['unavailable', 'timeout', 'rate_limited'].includes(err.code)) {
          await recordProviderResult(provider, false);
        }
        throw toFailure(err);
      }
    },

    async pollProviderTask(jobId: string): Promise<ProviderTaskState> {
      const job = await loadJob(jobId);
      if (!job.providerTaskId) throw fail('the job has no provider task yet', 'NoProviderTask');
      const provider = job.provider as ProviderName;
      return viaBreaker(provider, () => adapterFor(provider).getTask(job.providerTaskId!));
    },

    async cancelProviderTask(jobId: string): Promise<void> {
      const job = await loadJob(jobId);
      if (!job.providerTaskId) return;
      const provider = job.provider as ProviderName;
      await viaBreaker(provider, () => adapterFor(provider).cancel(job.providerTaskId!));
    },

    /**
     * The built-in provider: renders the video with ffmpeg into a local temporary file,
     * uploads it as the job's temporary asset (R-TEMP) and removes the local file. Heartbeats
     * carry progress; a cancelled job stops ffmpeg at the next heartbeat.
     */
    async renderLocal(input: { jobId: string; tempObjectKey: string }): Promise<{ bytes: number }> {
      const job = await loadJob(input.jobId);
      const p = params(job);
      const { width, height } = resolutionSize(p.resolution, p.aspectRatio);
      const ctx = Context.current();
      const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-render-'));
      const file = path.join(dir, 'render.mp4');
      let reported = 0;
      try {
        await renderLocalVideo({
          prompt: job.prompt,
          seed: p.seed ?? 0,
          durationSeconds: p.durationSeconds,
          width,
          height,
          outputPath: file,
          ffmpegPath: config.ffmpegPath,
          signal: ctx.cancellationSignal,
          onProgress: (fraction) => {
            ctx.heartbeat({ progress: fraction });
            if (fraction - reported >= PROGRESS_REPORT_STEP) {
              reported = fraction;
              void reportProgress(input.jobId, fraction);
            }
          },
        });
        const { size } = await stat(file);
        await new Upload({
          client: store.client,
          params: {
            Bucket: store.bucket,
            Key: input.tempObjectKey,
            Body: createReadStream(file),
            ContentType: 'video/mp4',
            ServerSideEncryption: store.serverSideEncryption,
          },
          partSize: UPLOAD_PART_BYTES,
          queueSize: UPLOAD_PARTS_IN_FLIGHT,
        }).done();
        return { bytes: size };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    /**
     * Streams the finished video into our own storage as the job's output asset (provider
     * URLs expire), hashing it on the way. The asset id is fixed on the job first, so a
     * retry writes the same object and row.
     */
    async storeOutput(input: { jobId: string; source: OutputSource }) {
      const job = await loadJob(input.jobId);
      const em = orm.em.fork();
      if (!job.outputAssetId) {
        await em.nativeUpdate(
          GenerationJob,
          { id: job.id, outputAssetId: null },
          { outputAssetId: randomUUID() },
        );
      }
      const assetId = (await em.fork().findOneOrFail(GenerationJob, { id: job.id })).outputAssetId!;
      const existing = await em.findOne(Asset, { id: assetId });
      if (existing?.status === 'stored') return retained(existing);
      const objectKey = assetObjectKey(job.user!, 'output', assetId);
      let body: Readable;
      if (input.source.kind === 'url') {
        const res = await fetch(input.source.url, { signal: AbortSignal.timeout(10 * 60_000) });
        if (!res.ok || !res.body) {
          throw ApplicationFailure.create({
            message: `the provider's video answered ${res.status}`,
            type: 'OutputDownloadFailed',
            nonRetryable: res.status === 404 || res.status === 410 || res.status === 403,
          });
        }
        body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
      } else {
        const got = await store.client.send(
          new GetObjectCommand({ Bucket: store.bucket, Key: input.source.objectKey }),
        );
        body = got.Body as Readable;
      }
      const hash = createHash('sha256');
      let size = 0;
      const counted = body.pipe(
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            size += chunk.length;
            Context.current().heartbeat({ bytes: size });
            done(null, chunk);
          },
        }),
      );
      await new Upload({
        client: store.client,
        params: {
          Bucket: store.bucket,
          Key: objectKey,
          Body: counted,
          ContentType: 'video/mp4',
          ServerSideEncryption: store.serverSideEncryption,
        },
        partSize: UPLOAD_PART_BYTES,
        queueSize: UPLOAD_PARTS_IN_FLIGHT,
      }).done();
      const storedAt = new Date();
      await em.upsert(
        Asset,
        {
          id: assetId,
          user: job.user,
          kind: 'output',
          status: 'stored',
          objectKey,
          contentType: 'video/mp4',
          sizeBytes: size,
          sha256: hash.digest('hex'),
          jobId: job.id,
          createdAt: storedAt,
          storedAt,
          deleteAt: assetDeleteAt('output', storedAt, config.timeScale),
        },
        { onConflictFields: ['id'], onConflictAction: 'merge' },
      );
      return retained(await em.fork().findOneOrFail(Asset, { id: assetId }));
    },

    async captureCredits(input: { jobId: string; credits: number }): Promise<void> {
      const job = await loadJob(input.jobId);
      await writeLedger(orm.em.fork(), {
        userId: job.user!,
        kind: 'capture',
        credits: input.credits,
        jobId: job.id,
      });
      const unused = job.creditsQuoted - input.credits;
      if (unused > 0) {
        await writeLedger(orm.em.fork(), {
          userId: job.user!,
          kind: 'release',
          credits: unused,
          jobId: job.id,
          note: 'cheaper fallback: difference returned',
        });
      }
      await orm.em.fork().nativeUpdate(GenerationJob, { id: job.id }, { creditsCharged: input.credits });
    },

    /** Gives back whatever of the reservation was not captured, with the reason recorded. */
    async releaseCredits(input: { jobId: string; reason: FailureCode }): Promise<number> {
      const job = await loadJob(input.jobId);
      const em = orm.em.fork();
      const [reserved] = await em.execute<{ credits: number }[]>(
        `select credits from credit_ledger where job_id = ? and kind = 'reserve'`,
        [job.id],
      );
      if (!reserved) return 0;
      const result = await writeLedger(em, {
        userId: job.user!,
        kind: 'release',
        credits: Number(reserved.credits),
        jobId: job.id,
        note: input.reason,
      });
      return result.applied ? Number(reserved.credits) : 0;
    },

    async finishJob(input: {
      jobId: string;
      status: Extract<JobStatus, 'succeeded' | 'failed' | 'cancelled' | 'rejected'>;
      failureCode?: FailureCode;
      failureDetail?: string;
    }): Promise<void> {
      const job = await loadJob(input.jobId);
      const em = orm.em.fork();
      await em.nativeUpdate(
        GenerationJob,
        { id: job.id },
        {
          status: input.status,
          failureCode: input.failureCode ?? null,
          failureReason: input.failureDetail?.slice(0, 1000) ?? null,
          finishedAt: job.finishedAt ?? new Date(),
          ...(input.status === 'succeeded' ? {} : { creditsCharged: 0 }),
        },
      );
      await recordAudit(em, {
        action: `job.${input.status}`,
        actorRole: 'system',
        targetType: 'job',
        targetId: job.id,
        subjectUserId: job.user,
        details: input.failureCode ? { failureCode: input.failureCode } : {},
      });
    },
  };
}

/**
 * D-RECIPIENTS: the recipients ledger learns that this provider received the job's
 * prompt (and its input images), so an account deletion can ask it to erase them.
 * Once per task (its provider and task id are unique).
 */
async function recordRecipient(em: EntityManager, job: GenerationJob, taskId: string): Promise<void> {
  const inputs = (job.parameters as unknown as JobParameters).inputs?.length ?? 0;
  await em.execute(
    `insert into data_recipients (id, user_id, job_id, provider, provider_task_id, data_categories, input_count, sent_at)
     values (gen_random_uuid(), ?, ?, ?, ?, ?::jsonb, ?, now()) on conflict (provider, provider_task_id) do nothing`,
    [
      job.user ?? null,
      job.id,
      job.provider,
      taskId,
      JSON.stringify(inputs > 0 ? ['prompt', 'input_images'] : ['prompt']),
      inputs,
    ],
  );
}

function retained(asset: Asset) {
  return {
    id: asset.id,
    user: asset.user ?? null,
    kind: asset.kind,
    objectKey: asset.objectKey,
    deleteAt: asset.deleteAt!.toISOString(),
  };
}

/**
 * Other providers' models that accept the same request, cheapest first, at no more than
 * the reserved price (never more without consent). The local renderer is no stand-in for
 * a provider's model, so it is never a fallback.
 */
export function fallbackCandidates(model: ModelSpec, p: JobParameters, reserved: number): ModelSpec[] {
  return MODELS.filter((m) => m.provider !== model.provider && m.provider !== 'local')
    .filter((m) => m.durations.includes(p.durationSeconds) && m.aspectRatios.includes(p.aspectRatio))
    .filter((m) => (m.resolutions as readonly string[]).includes(p.resolution))
    .filter((m) => p.inputs.every((i) => m.inputRoles.includes(i.role)) && p.inputs.length <= m.maxInputs)
    .filter((m) => !m.imageRequired || p.inputs.some((i) => i.role === 'first_frame'))
    .map((m) => ({ m, credits: quoteCredits(m, p) }))
    .filter(({ credits }) => credits <= reserved)
    .sort((a, b) => a.credits - b.credits)
    .map(({ m }) => m);
}

export type GenerationActivities = ReturnType<typeof createGenerationActivities>;
