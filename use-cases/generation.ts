// Generation jobs: the models offered here, price quotes, job creation that is safe to
// retry (the same Idempotency-Key gives the same job, never a second one; the credits
// are reserved in the same transaction that creates it). Cancellation is in
// generation-cancel.ts.
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { startJobWorkflow } from '../clients/generation.ts';
import { Asset, GenerationJob, PriceQuote } from '../db/entities/index.ts';
import { InsufficientCredits } from '../stores/billing.ts';
import { insertReservedJob, jobByIdempotencyKey } from '../stores/generation.ts';
import { recordUnstartedStart } from '../stores/unstarted.ts';
import type {
  CreateJobBody,
  JobRequest,
  JobView,
  OfferedModel,
  Quote,
} from '../domain/contracts/generation.ts';
import { AppError, badRequest, conflict } from '../domain/errors.ts';
import { QUOTE_TTL_MS } from '../domain/billing.ts';
import { IDEMPOTENCY_KEY_PATTERN, JOB_START_DEADLINE_MS, type JobParameters } from '../domain/generation.ts';
import { fallbackCandidates, validateGenerationParameters } from '../domain/generation-parameters.ts';
import { MODELS, quoteCredits } from '../domain/models.ts';
import { configuredProviders } from '../providers/index.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { jobViewOf, ownJob, viewOf } from './generation-view.ts';
import { processingRestricted } from './retention.ts';
import { callOrRecord } from './unanswered.ts';

type Creator = Actor & { restrictedAt?: Date | null };

const randomSeed = () => Math.floor(Math.random() * 2 ** 31);

export function offeredModels(deps: UseCaseDeps): { models: OfferedModel[] } {
  const offered = new Set(configuredProviders(deps.config.providers));
  return {
    models: MODELS.filter((m) => offered.has(m.provider)).map((m) => ({
      id: m.id,
      label: m.label,
      provider: m.provider,
      durations: [...m.durations],
      aspectRatios: [...m.aspectRatios],
      resolutions: [...m.resolutions],
      inputRoles: [...m.inputRoles],
      maxInputs: m.maxInputs,
      imageRequired: m.imageRequired,
      promptMaxLength: m.promptMaxLength,
      negativePrompt: m.negativePrompt,
      seed: m.seed,
      creditsPerSecond: m.creditsPerSecond,
    })),
  };
}

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

/** Every problem of the request at once; the model must be offered and the images the creator's own. */
async function validateRequest(deps: UseCaseDeps, em: EntityManager, actor: Actor, body: JobRequest) {
  const checked = validateGenerationParameters(body);
  if (!checked.ok) throw badRequest('Please check the highlighted settings.', checked.problems);
  const model = checked.value.model;
  if (!configuredProviders(deps.config.providers).includes(model.provider)) {
    throw badRequest(`${model.label} is not available here.`, [
      { field: 'modelId', message: `${model.label} is not available here.` },
    ]);
  }
  for (const [index, input] of body.inputs.entries()) {
    // S-MOD: an image the classifier (or a person) cleared; held and refused ones cannot be used.
    const asset = await em.findOne(Asset, {
      id: input.assetId,
      user: actor.id,
      kind: 'input',
      status: 'stored',
      moderation: { $in: ['passed', 'approved'] },
      takedownId: null,
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

export async function quoteJob(deps: UseCaseDeps, actor: Actor, body: JobRequest): Promise<Quote> {
  const em = deps.orm.em.fork();
  const valid = await validateRequest(deps, em, actor, body);
  const quote = em.create(PriceQuote, {
    user: actor.id,
    requestHash: requestHash(body),
    model: valid.model.id,
    credits: valid.credits,
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + QUOTE_TTL_MS),
  });
  await em.flush();
  const offered = new Set(configuredProviders(deps.config.providers));
  const fallbacks = body.fallbackAllowed
    ? fallbackCandidates(valid.model, body, valid.credits)
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
}

/**
 * Starts the job's workflow. When Temporal does not answer, the job stays saved with its
 * credits reserved and is recorded as unstarted: the unstarted-jobs sweep starts it once
 * Temporal answers again (activities/sweeps/unstarted-jobs.ts). Before, the request
 * failed with a 500 and left the job `moderating` with its credits reserved, for good.
 * The start is given JOB_START_DEADLINE_MS, so the person is answered within seconds.
 */
export async function startWorkflow(deps: UseCaseDeps, job: GenerationJob): Promise<void> {
  await callOrRecord(deps, {
    deadlineMs: JOB_START_DEADLINE_MS,
    call: () => startJobWorkflow(deps.temporal.client, job),
    record: (em, namespace) => recordUnstartedStart(em, 'job', job.id, namespace),
    warning: {
      message: 'job saved, its workflow not started: the sweep starts it',
      context: { jobId: job.id },
    },
  });
}

/** The price the job is created at: a fresh quote's, if one is given, else the list price. */
async function agreedPrice(
  em: EntityManager,
  actor: Actor,
  body: CreateJobBody,
  hash: string,
  listPrice: number,
) {
  if (!body.quoteId) return listPrice;
  const quote = await em.findOne(PriceQuote, { id: body.quoteId, user: actor.id });
  if (!quote || quote.expiresAt.getTime() < Date.now()) {
    throw new AppError(409, 'quote_expired', 'This price quote has expired. Get a new quote.');
  }
  if (quote.requestHash !== hash) {
    throw badRequest('The quote was for different settings. Get a new quote.', [
      { field: 'quoteId', message: 'Quote another request.' },
    ]);
  }
  return quote.credits;
}

export const idempotencyKeyMissing = () =>
  badRequest('Send an Idempotency-Key header (8 to 128 letters, digits, . _ : -).', [
    { field: 'Idempotency-Key', message: 'Required: a unique key per job, reused when retrying.' },
  ]);

/**
 * Creates a job and starts its workflow. `replayed` is true when the key had already made
 * this very job (the answer is then the job as it is now).
 */
export async function createJob(
  deps: UseCaseDeps,
  actor: Creator,
  key: string | undefined,
  body: CreateJobBody,
): Promise<{ view: JobView; replayed: boolean }> {
  if (!key || !IDEMPOTENCY_KEY_PATTERN.test(key)) throw idempotencyKeyMissing();
  if (actor.restrictedAt) throw processingRestricted();
  const em = deps.orm.em.fork();
  const hash = requestHash(body);
  const replay = async (existing: GenerationJob) => {
    if (existing.requestHash !== hash) {
      throw conflict('idempotency_key_reused', 'This Idempotency-Key was already used for a different job.');
    }
    await startWorkflow(deps, existing);
    return { view: await viewOf(em, existing), replayed: true };
  };
  const existing = await jobByIdempotencyKey(em, actor.id, key);
  if (existing) return replay(existing);

  const valid = await validateRequest(deps, em, actor, body);
  const credits = await agreedPrice(em, actor, body, hash, valid.credits);
  if (body.parentJobId) await ownJob(em, actor, body.parentJobId);
  if (body.revisionKind && !body.parentJobId) {
    throw badRequest('A revision needs the job it starts from.', [
      { field: 'parentJobId', message: 'Choose the earlier job.' },
    ]);
  }
  let job: GenerationJob;
  try {
    job = await insertJob(em, actor, {
      key,
      hash,
      body,
      model: valid.model.id,
      provider: valid.model.provider,
      credits,
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
    const raced = await jobByIdempotencyKey(deps.orm.em.fork(), actor.id, key);
    if (raced) return replay(raced);
    throw err;
  }
  await startWorkflow(deps, job);
  return { view: jobViewOf(job), replayed: false };
}

/** The job, its reservation and its audit event stand or fall together (`insertReservedJob`). */
function insertJob(
  em: EntityManager,
  actor: Actor,
  job: { key: string; hash: string; body: CreateJobBody; model: string; provider: string; credits: number },
): Promise<GenerationJob> {
  const { body } = job;
  const parameters: JobParameters = {
    negativePrompt: body.negativePrompt?.trim() || undefined,
    durationSeconds: body.durationSeconds,
    aspectRatio: body.aspectRatio,
    resolution: body.resolution,
    seed: body.seed ?? randomSeed(),
    inputs: body.inputs,
    fallbackAllowed: body.fallbackAllowed,
  };
  const jobId = randomUUID();
  return em.transactional((tx) =>
    insertReservedJob(
      tx,
      {
        id: jobId,
        userId: actor.id,
        idempotencyKey: job.key,
        requestHash: job.hash,
        quoteId: body.quoteId ?? null,
        model: job.model,
        provider: job.provider,
        prompt: body.prompt.trim(),
        parameters,
        creditsQuoted: job.credits,
        parentJobId: body.parentJobId ?? null,
        revisionKind: body.revisionKind ?? null,
      },
      { userId: actor.id, kind: 'reserve', credits: job.credits, jobId, note: `reserved for ${job.model}` },
      {
        action: 'job.created',
        actorId: actor.id,
        actorRole: actor.role,
        targetType: 'job',
        targetId: jobId,
        subjectUserId: actor.id,
        details: { model: job.model, credits: job.credits },
      },
    ),
  );
}
