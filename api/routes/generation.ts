// Generation jobs over HTTP: price quotes, job creation that is safe to retry (the same
// Idempotency-Key gives the same job, never a second one), job history, live progress
// (JSON and server-sent events), cancellation that answers with the final state, and
// revision chains. Credits are reserved in the same transaction that creates the job.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { fallbackCandidates, type JobParameters } from '../../activities/generation/index.ts';
import { configuredProviders } from '../../providers/index.ts';
import { QUOTE_TTL_MS } from '../../domain/credits.ts';
import {
  FAILURE_MESSAGES,
  IDEMPOTENCY_KEY_PATTERN,
  JOB_PAGE_SIZE_MAX,
  JOB_STATUSES,
  REVISION_KINDS,
  isTerminal,
  type FailureCode,
} from '../../domain/generation.ts';
import {
  INPUT_ROLES,
  MAX_SEED,
  MODELS,
  findModel,
  quoteCredits,
  validateGenerationParameters,
} from '../../domain/models.ts';
import { TASK_QUEUES, workflowIds } from '../../domain/temporal.ts';
import { Asset, GenerationJob, PriceQuote, type User } from '../../db/entities/index.ts';
import { InsufficientCredits, writeLedger } from '../../db/ledger.ts';
import { recordAudit } from '../../platform/audit.ts';
import {
  cancelUpdate,
  jobStatusSearchAttribute,
  progressQuery,
  type GenerationInput,
  type GenerationState,
  type generationWorkflow,
} from '../../workflows/generation.ts';
import { userIdSearchAttribute } from '../../workflows/retention.ts';
import { caller } from '../auth/access.ts';
import type { ApiDeps } from '../deps.ts';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { processingRestricted } from './assets.ts';
import { workflowUiUrl } from './ops.ts';

const jobRequest = z.object({
  modelId: z.string().min(1).max(64),
  prompt: z.string().max(10_000),
  negativePrompt: z.string().max(2000).optional(),
  durationSeconds: z.number().int().positive(),
  aspectRatio: z.string().min(1).max(16),
  resolution: z.string().min(1).max(16),
  seed: z.number().int().min(0).max(MAX_SEED).optional(),
  inputs: z
    .array(z.object({ assetId: z.uuid(), role: z.enum(INPUT_ROLES) }))
    .max(8)
    .default([]),
  /** The user allows another provider when the chosen one is down, at no higher price. */
  fallbackAllowed: z.boolean().default(false),
});
type JobRequest = z.infer<typeof jobRequest>;

const createJobBody = jobRequest.extend({
  quoteId: z.uuid().optional(),
  parentJobId: z.uuid().optional(),
  revisionKind: z.enum(REVISION_KINDS).optional(),
});

const jobView = z.object({
  id: z.uuid(),
  status: z.enum(JOB_STATUSES),
  model: z.object({ id: z.string(), label: z.string(), provider: z.string() }),
  fellBackFrom: z.string().nullable(),
  prompt: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  credits: z.object({ quoted: z.number(), charged: z.number().nullable() }),
  progress: z.number().nullable(),
  queuePosition: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  message: z.string().nullable(),
  failure: z.object({ code: z.string(), message: z.string() }).nullable(),
  output: z.object({ assetId: z.uuid(), deleteAt: z.string().nullable() }).nullable(),
  parentJobId: z.uuid().nullable(),
  revisionKind: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  generationSeconds: z.number().nullable(),
});
type JobView = z.infer<typeof jobView>;

/** The request in one canonical form: what the Idempotency-Key and a quote are bound to. */
function requestHash(req: JobRequest): string {
  const normal = {
    modelId: req.modelId,
    prompt: req.prompt.trim(),
    negativePrompt: req.negativePrompt?.trim() || null,
    durationSeconds: req.durationSeconds,
    aspectRatio: req.aspectRatio,
    resolution: req.resolution,
    seed: req.seed ?? null,
    inputs: req.inputs.map((i) => [i.assetId, i.role]),
    fallbackAllowed: req.fallbackAllowed,
  };
  return createHash('sha256').update(JSON.stringify(normal)).digest('hex');
}

function toView(job: GenerationJob, live?: GenerationState | null, outputDeleteAt?: Date | null): JobView {
  const model = findModel(job.model);
  const status = live?.status ?? job.status;
  const code = (live?.failureCode ?? job.failureCode) as FailureCode | null;
  const started = job.startedAt?.getTime();
  const finished = job.finishedAt?.getTime();
  return {
    id: job.id,
    status,
    model: { id: job.model, label: model?.label ?? job.model, provider: job.provider },
    fellBackFrom: job.originalModel ?? null,
    prompt: job.prompt,
    parameters: job.parameters,
    credits: { quoted: job.creditsQuoted, charged: live?.creditsCharged ?? job.creditsCharged ?? null },
    progress: status === 'succeeded' ? 1 : (live?.progress ?? null),
    queuePosition: live?.queuePosition ?? null,
    etaSeconds: live?.etaSeconds ?? null,
    message: live?.message ?? (code ? FAILURE_MESSAGES[code] : null),
    failure: code ? { code, message: FAILURE_MESSAGES[code] ?? code } : null,
    output:
      job.outputAssetId && status === 'succeeded'
        ? { assetId: job.outputAssetId, deleteAt: outputDeleteAt?.toISOString() ?? null }
        : null,
    parentJobId: job.parentJobId ?? null,
    revisionKind: job.revisionKind ?? null,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    generationSeconds: started && finished ? Math.round((finished - started) / 100) / 10 : null,
  };
}

const idParams = z.object({ id: z.uuid() });

export function generationRoutes(deps: ApiDeps) {
  const temporal = deps.temporal.client;

  async function validateRequest(em: EntityManager, user: User, body: JobRequest) {
    const checked = validateGenerationParameters(body);
    if (!checked.ok) throw badRequest('Please check the highlighted settings.', checked.problems);
    const model = checked.value.model;
    if (model.provider !== 'local' && !configuredProviders(deps.config.providers).includes(model.provider)) {
      throw badRequest(`${model.label} is not available here.`, [
        { field: 'modelId', message: `${model.label} is not available here.` },
      ]);
    }
    for (const [index, input] of body.inputs.entries()) {
      const asset = await em.findOne(Asset, {
        id: input.assetId,
        user: user.id,
        kind: 'input',
        status: 'stored',
      });
      if (!asset || !asset.contentType?.startsWith('image/')) {
        throw badRequest('An input image cannot be used.', [
          {
            field: `inputs.${index}.assetId`,
            message: 'Choose one of your uploaded images that is still stored.',
          },
        ]);
      }
    }
    return checked.value;
  }

  async function liveState(job: GenerationJob): Promise<GenerationState | null> {
    if (isTerminal(job.status)) return null;
    try {
      return await temporal.workflow.getHandle(workflowIds.generation(job.id)).query(progressQuery);
    } catch {
      return null;
    }
  }

  async function ownJob(em: EntityManager, userId: string, id: string): Promise<GenerationJob> {
    const job = await em.findOne(GenerationJob, { id, user: userId });
    if (!job) throw notFound('No such job.');
    return job;
  }

  async function viewOf(em: EntityManager, job: GenerationJob): Promise<JobView> {
    const live = await liveState(job);
    const output = job.outputAssetId ? await em.findOne(Asset, { id: job.outputAssetId }) : null;
    return toView(job, live, output?.deleteAt);
  }

  async function startWorkflow(job: GenerationJob): Promise<void> {
    const input: GenerationInput = {
      jobId: job.id,
      userId: job.user!,
      modelId: job.model,
      provider: job.provider as GenerationInput['provider'],
      credits: job.creditsQuoted,
      fallbackAllowed: Boolean((job.parameters as { fallbackAllowed?: boolean }).fallbackAllowed),
      timeScale: deps.config.timeScale,
    };
    try {
      await temporal.workflow.start<typeof generationWorkflow>('generationWorkflow', {
        taskQueue: TASK_QUEUES.generation,
        workflowId: workflowIds.generation(job.id),
        args: [input],
        typedSearchAttributes: [
          { key: userIdSearchAttribute, value: job.user! },
          { key: jobStatusSearchAttribute, value: job.status },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  return [
    defineRoute({
      method: 'get',
      path: '/api/models',
      summary: 'Models offered here, with what each supports and its price per second',
      tags: ['generation'],
      access: 'public',
      handler: () => {
        const offered = new Set(['local', ...configuredProviders(deps.config.providers)]);
        return {
          models: MODELS.filter((m) => offered.has(m.provider)).map((m) => ({
            id: m.id,
            label: m.label,
            provider: m.provider,
            durations: m.durations,
            aspectRatios: m.aspectRatios,
            resolutions: m.resolutions,
            inputRoles: m.inputRoles,
            maxInputs: m.maxInputs,
            imageRequired: m.imageRequired,
            promptMaxLength: m.promptMaxLength,
            negativePrompt: m.negativePrompt,
            seed: m.seed,
            creditsPerSecond: m.creditsPerSecond,
          })),
        };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/quotes',
      summary: 'The price of a job in credits, with a quote id valid for a few minutes',
      tags: ['generation'],
      access: 'verified',
      body: jobRequest,
      status: 201,
      handler: async ({ body, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const valid = await validateRequest(em, user, body);
        const quote = em.create(PriceQuote, {
          user: user.id,
          requestHash: requestHash(body),
          model: valid.model.id,
          credits: valid.credits,
          createdAt: new Date(),
          expiresAt: new Date(Date.now() + QUOTE_TTL_MS),
        });
        await em.flush();
        const offered = new Set(configuredProviders(deps.config.providers));
        const fallbacks = body.fallbackAllowed
          ? fallbackCandidates(valid.model, body as JobParameters, valid.credits)
              .filter((m) => offered.has(m.provider))
              .map((m) => {
                const credits = quoteCredits(m, body);
                return { modelId: m.id, label: m.label, credits, difference: credits - valid.credits };
              })
          : [];
        return {
          quoteId: quote.id,
          credits: valid.credits,
          expiresAt: quote.expiresAt.toISOString(),
          model: { id: valid.model.id, label: valid.model.label, provider: valid.model.provider },
          fallbacks,
        };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/jobs',
      summary: 'Create a job (needs an Idempotency-Key header: the same key answers with the same job)',
      tags: ['generation'],
      access: 'verified',
      rateLimit: 'generation',
      body: createJobBody,
      status: 201,
      response: jobView,
      handler: async ({ body, req, res }) => {
        const { user } = caller(req);
        const key = req.get('idempotency-key');
        if (!key || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
          throw badRequest('Send an Idempotency-Key header (8 to 128 letters, digits, . _ : -).', [
            { field: 'Idempotency-Key', message: 'Required: a unique key per job, reused when retrying.' },
          ]);
        }
        if (user.restrictedAt) throw processingRestricted();
        const em = deps.orm.em.fork();
        const hash = requestHash(body);
        const replay = async (existing: GenerationJob) => {
          if (existing.requestHash !== hash) {
            throw conflict(
              'idempotency_key_reused',
              'This Idempotency-Key was already used for a different job.',
            );
          }
          await startWorkflow(existing);
          res.locals.status = 200;
          return viewOf(em, existing);
        };
        const existing = await em.findOne(GenerationJob, { user: user.id, idempotencyKey: key });
        if (existing) return replay(existing);

        const valid = await validateRequest(em, user, body);
        let credits = valid.credits;
        if (body.quoteId) {
          const quote = await em.findOne(PriceQuote, { id: body.quoteId, user: user.id });
          if (!quote || quote.expiresAt.getTime() < Date.now()) {
            throw new AppError(409, 'quote_expired', 'This price quote has expired. Get a new quote.');
          }
          if (quote.requestHash !== hash)
            throw badRequest('The quote was for different settings. Get a new quote.', [
              { field: 'quoteId', message: 'Quote another request.' },
            ]);
          credits = quote.credits;
        }
        if (body.parentJobId) await ownJob(em, user.id, body.parentJobId);
        if (body.revisionKind && !body.parentJobId) {
          throw badRequest('A revision needs the job it starts from.', [
            { field: 'parentJobId', message: 'Choose the earlier job.' },
          ]);
        }

        const jobId = randomUUID();
        const parameters: JobParameters = {
          negativePrompt: body.negativePrompt?.trim() || undefined,
          durationSeconds: body.durationSeconds,
          aspectRatio: body.aspectRatio,
          resolution: body.resolution,
          // A seed is always fixed at creation, so a retried render makes the same video.
          seed: body.seed ?? randomSeed(),
          inputs: body.inputs,
          fallbackAllowed: body.fallbackAllowed,
        };
        let job: GenerationJob;
        try {
          job = await em.transactional(async (tx) => {
            const created = tx.create(GenerationJob, {
              id: jobId,
              user: user.id,
              idempotencyKey: key,
              requestHash: hash,
              quoteId: body.quoteId ?? null,
              model: valid.model.id,
              provider: valid.model.provider,
              prompt: body.prompt.trim(),
              parameters: parameters as unknown as Record<string, unknown>,
              status: 'moderating',
              creditsQuoted: credits,
              parentJobId: body.parentJobId ?? null,
              revisionKind: body.revisionKind ?? null,
              createdAt: new Date(),
            });
            await tx.flush();
            // The reservation and the job stand or fall together.
            await writeLedger(tx, {
              userId: user.id,
              kind: 'reserve',
              credits,
              jobId,
              note: `reserved for ${valid.model.id}`,
            });
            return created;
          });
        } catch (err) {
          if (err instanceof InsufficientCredits) {
            throw new AppError(
              402,
              'insufficient_credits',
              `This video costs ${credits} credits and your balance is ${err.balance}.`,
            );
          }
          // A concurrent request with the same key won the race: answer with its job.
          const raced = await deps.orm.em
            .fork()
            .findOne(GenerationJob, { user: user.id, idempotencyKey: key });
          if (raced) return replay(raced);
          throw err;
        }
        await recordAudit(em, {
          action: 'job.created',
          actorId: user.id,
          actorRole: user.role,
          targetType: 'job',
          targetId: job.id,
          subjectUserId: user.id,
          details: { model: valid.model.id, credits },
        });
        await startWorkflow(job);
        return toView(job, null);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/jobs',
      summary: 'My jobs, newest first, filtered by status or model, page by page',
      tags: ['generation'],
      access: 'signed-in',
      query: z.object({
        status: z.enum(JOB_STATUSES).optional(),
        modelId: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(JOB_PAGE_SIZE_MAX).default(20),
        cursor: z.string().max(200).optional(),
      }),
      handler: async ({ query, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const where: Record<string, unknown> = { user: user.id };
        if (query.status) where.status = query.status;
        if (query.modelId) where.model = query.modelId;
        if (query.cursor) {
          const [at, id] = Buffer.from(query.cursor, 'base64url').toString().split('|');
          const when = new Date(at ?? '');
          if (!id || Number.isNaN(when.getTime()))
            throw badRequest('Invalid cursor.', [
              { field: 'cursor', message: 'Use the cursor from the previous page.' },
            ]);
          where.$or = [{ createdAt: { $lt: when } }, { createdAt: when, id: { $lt: id } }];
        }
        const jobs = await em.find(GenerationJob, where, {
          orderBy: { createdAt: 'desc', id: 'desc' },
          limit: query.limit + 1,
        });
        const page = jobs.slice(0, query.limit);
        const last = page.at(-1);
        const outputs = await em.find(Asset, {
          id: { $in: page.map((j) => j.outputAssetId).filter((x): x is string => Boolean(x)) },
        });
        const deleteAt = new Map(outputs.map((a) => [a.id, a.deleteAt]));
        return {
          jobs: page.map((j) => toView(j, null, j.outputAssetId ? deleteAt.get(j.outputAssetId) : null)),
          nextCursor:
            jobs.length > query.limit && last
              ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString('base64url')
              : null,
        };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/jobs/:id',
      summary: 'One of my jobs, with live progress while it runs',
      tags: ['generation'],
      access: 'signed-in',
      params: idParams,
      response: jobView,
      handler: async ({ params, req }) => {
        const em = deps.orm.em.fork();
        return viewOf(em, await ownJob(em, caller(req).user.id, params.id));
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/jobs/:id/events',
      summary: 'Live progress as server-sent events, until the job ends',
      tags: ['generation'],
      access: 'signed-in',
      params: idParams,
      handler: async ({ params, req, res }) => {
        const em = deps.orm.em.fork();
        const job = await ownJob(em, caller(req).user.id, params.id);
        res.writeHead(200, {
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        let closed = false;
        req.on('close', () => {
          closed = true;
        });
        let last = '';
        let lastWrite = Date.now();
        while (!closed) {
          const fresh = await em.fork().findOne(GenerationJob, { id: job.id });
          const view = await viewOf(em.fork(), fresh!);
          const text = JSON.stringify(view);
          if (text !== last) {
            res.write(`event: progress\ndata: ${text}\n\n`);
            last = text;
            lastWrite = Date.now();
          } else if (Date.now() - lastWrite > SSE_KEEPALIVE_MS) {
            res.write(': keep-alive\n\n');
            lastWrite = Date.now();
          }
          if (isTerminal(view.status)) break;
          await new Promise((resolve) => setTimeout(resolve, SSE_INTERVAL_MS));
        }
        res.end();
        return undefined;
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/jobs/:id/cancel',
      summary:
        'Cancel a job: its provider task is cancelled and the credits released; answers with the final state',
      tags: ['generation'],
      access: 'signed-in',
      params: idParams,
      response: jobView,
      handler: async ({ params, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const job = await ownJob(em, user.id, params.id);
        if (isTerminal(job.status)) throw conflict('job_finished', `This job has already ${job.status}.`);
        try {
          await temporal.workflow
            .getHandle(workflowIds.generation(job.id))
            .executeUpdate(cancelUpdate, { args: [{ requestedBy: user.id }] });
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw notFound('No such job.');
          const fresh = await em.fork().findOneOrFail(GenerationJob, { id: job.id });
          if (isTerminal(fresh.status))
            throw conflict('job_finished', `This job has already ${fresh.status}.`);
          throw err;
        }
        await recordAudit(em, {
          action: 'job.cancel_requested',
          actorId: user.id,
          actorRole: user.role,
          targetType: 'job',
          targetId: job.id,
          subjectUserId: user.id,
        });
        return viewOf(em, await em.fork().findOneOrFail(GenerationJob, { id: job.id }));
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/jobs/:id/revisions',
      summary: 'The chain of revisions a job belongs to, oldest first',
      tags: ['generation'],
      access: 'signed-in',
      params: idParams,
      handler: async ({ params, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        let root = await ownJob(em, user.id, params.id);
        for (let depth = 0; root.parentJobId && depth < MAX_REVISION_DEPTH; depth++) {
          const parent = await em.findOne(GenerationJob, { id: root.parentJobId, user: user.id });
          if (!parent) break;
          root = parent;
        }
        const chain: GenerationJob[] = [root];
        for (let i = 0; i < chain.length && chain.length < MAX_REVISION_DEPTH * 4; i++) {
          chain.push(
            ...(await em.find(
              GenerationJob,
              { parentJobId: chain[i]!.id, user: user.id },
              { orderBy: { createdAt: 'asc' } },
            )),
          );
        }
        return { jobs: chain.map((j) => toView(j, null)) };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/ops/jobs/:id',
      summary: "Any job, with its workflow's link in the Temporal Web UI",
      tags: ['ops'],
      access: ['operator', 'admin'],
      params: idParams,
      handler: async ({ params, req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        const job = await em.findOne(GenerationJob, { id: params.id });
        if (!job) throw notFound('No such job.');
        await recordAudit(em, {
          action: 'staff.viewed_job',
          actorId: staff.id,
          actorRole: staff.role,
          targetType: 'job',
          targetId: job.id,
          subjectUserId: job.user,
        });
        return {
          ...(await viewOf(em, job)),
          userId: job.user,
          temporalUiUrl: workflowUiUrl(deps, workflowIds.generation(job.id)),
        };
      },
    }),
  ];
}

const SSE_INTERVAL_MS = 500;
const SSE_KEEPALIVE_MS = 15_000;
const MAX_REVISION_DEPTH = 50;
const randomSeed = () => Math.floor(Math.random() * 2 ** 31);
