// Admitting a job, in one local activity keyed by its id: automated moderation of the
// prompt (S-MOD; a refusal or a hold for a person is recorded on the job and audited),
// then the reservation's check and the provider's choice (its circuit breaker, a
// fallback where the person allowed one), with the job's status written as it goes.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { GenerationJob } from '../../db/entities/index.ts';
import { InsufficientCredits, writeLedger } from '../../stores/billing.ts';
import { FAILURE_TYPES } from '../../domain/failures.ts';
import { fallbackCandidates } from '../../domain/generation-parameters.ts';
import { findModel, quoteCredits, type ModelSpec, type ProviderName } from '../../domain/models.ts';
import { moderatePrompt, type ModerationResult } from '../../domain/moderation.ts';
import { recordAudit } from '../../platform/audit.ts';
import { configuredProviders } from '../../providers/index.ts';
import {
  jobParameters,
  loadJob,
  loadJobWithChecks,
  markQueued,
  recordLiveState,
} from '../../stores/generation.ts';
import { openReview } from '../../stores/moderation.ts';
import { breakerOpen } from './breaker.ts';
import { fail } from './failures.ts';

/** What admitting a job decided: refused, held for a person, or on its way to a provider. */
export type JobStart =
  | { verdict: 'refuse'; reason: string | null }
  | { verdict: 'review'; reason: string | null }
  | { verdict: 'allow'; modelId: string; provider: ProviderName; credits: number; fellBack: boolean };

type Admitted = Extract<JobStart, { verdict: 'allow' }>;

export function createAdmissionActivities(deps: { orm: MikroORM; config: Config }) {
  const { orm } = deps;
  return {
    /**
     * Moderation (unless a person already approved), the reservation, the provider. A job
     * admitted on its way costs two statements: one read of the job with its reservation
     * and its provider's breaker, and one update that records the verdict, the start and
     * the status together.
     */
    async startJob(input: { jobId: string; reviewed: boolean }): Promise<JobStart> {
      const { job, reserved, providerDown } = await loadJobWithChecks(orm, input.jobId);
      const verdict = input.reviewed ? null : moderation(job);
      if (verdict && verdict.verdict !== 'allow') return hold(orm, job, verdict);
      let choice: Admitted;
      try {
        if (!reserved) await reserve(orm, job);
        choice = await chooseProvider(deps, job, { provider: job.provider, down: providerDown });
      } catch (err) {
        // The job goes no further (no credits, no provider up); its verdict is kept.
        if (verdict) await recordVerdict(orm.em.fork(), job.id, verdict);
        throw err;
      }
      await markQueued(orm.em.fork(), job.id, verdict ?? undefined);
      return choice;
    },

    /** The chosen provider turned out to be down: another at no higher price, if allowed. */
    async fallBack(jobId: string): Promise<Admitted> {
      return chooseProvider(deps, await loadJob(orm, jobId));
    },
  };
}

/** S-MOD: the prompt's automated verdict. */
const moderation = (job: GenerationJob): ModerationResult =>
  moderatePrompt(job.prompt, { hasImageInputs: jobParameters(job).inputs.length > 0 });

/** The prompt's verdict on the job (S-MOD). */
const recordVerdict = (em: EntityManager, jobId: string, verdict: ModerationResult) =>
  em.nativeUpdate(
    GenerationJob,
    { id: jobId },
    { moderationVerdict: verdict.verdict, moderationCategories: verdict.categories },
  );

/** S-MOD: a refused or held prompt, recorded on the job and audited; a hold waits for a person. */
async function hold(orm: MikroORM, job: GenerationJob, result: ModerationResult): Promise<JobStart> {
  const em = orm.em.fork();
  await recordVerdict(em, job.id, result);
  await recordAudit(em, {
    action: result.verdict === 'refuse' ? 'job.moderation_refused' : 'job.moderation_held',
    actorRole: 'system',
    targetType: 'job',
    targetId: job.id,
    subjectUserId: job.user,
    details: { categories: result.categories },
  });
  if (result.verdict === 'review') {
    // The job waits in the review queue for a person (S-MOD); a repeat opens nothing new.
    await openReview(em, {
      kind: 'held',
      subject: 'prompt',
      userId: job.user!,
      jobId: job.id,
      reason: result.reason ?? null,
      categories: result.categories,
    });
    await recordLiveState(em, job.id, { status: 'awaiting_review', statusMessage: result.reason ?? null });
  }
  return { verdict: result.verdict as 'refuse' | 'review', reason: result.reason ?? null };
}

/**
 * The price is reserved when the job is created; this reserves it for a job created
 * without (idempotent by job).
 */
async function reserve(orm: MikroORM, job: GenerationJob): Promise<void> {
  try {
    await writeLedger(orm.em.fork(), {
      userId: job.user!,
      kind: 'reserve',
      credits: job.creditsQuoted,
      jobId: job.id,
      note: `reserved for ${job.model}`,
    });
  } catch (err) {
    if (err instanceof InsufficientCredits) throw fail(err.message, FAILURE_TYPES.insufficientCredits);
    throw err;
  }
}

/**
 * The provider to use now: the chosen model unless its provider's circuit breaker is
 * open; then, if the user allowed it, the first other configured model that supports the
 * same request and costs no more than was reserved.
 */
async function chooseProvider(
  deps: { orm: MikroORM; config: Config },
  job: GenerationJob,
  known?: { provider: string; down: boolean },
): Promise<Admitted> {
  const { orm, config } = deps;
  const model = findModel(job.model)!;
  const p = jobParameters(job);
  const asChoice = (m: ModelSpec, fellBack: boolean): Admitted => ({
    verdict: 'allow',
    modelId: m.id,
    provider: m.provider,
    credits: fellBack ? quoteCredits(m, p) : job.creditsQuoted,
    fellBack,
  });
  const down = async (provider: ProviderName) =>
    known?.provider === provider ? known.down : breakerOpen(orm, provider);
  if (model.provider === 'local' || !(await down(model.provider))) {
    return asChoice(model, Boolean(job.originalModel));
  }
  if (!p.fallbackAllowed)
    throw fail(`${model.label} is unavailable right now`, FAILURE_TYPES.providerUnavailable);
  const offered = new Set(configuredProviders(config.providers));
  for (const candidate of fallbackCandidates(model, p, job.creditsQuoted)) {
    if (!offered.has(candidate.provider) || (await down(candidate.provider))) continue;
    await orm.em
      .fork()
      .nativeUpdate(
        GenerationJob,
        { id: job.id },
        { model: candidate.id, provider: candidate.provider, originalModel: job.originalModel ?? model.id },
      );
    await recordAudit(orm.em.fork(), {
      action: 'job.fallback',
      actorRole: 'system',
      targetType: 'job',
      targetId: job.id,
      subjectUserId: job.user,
      details: { from: model.id, to: candidate.id },
    });
    return asChoice(candidate, true);
  }
  throw fail(`${model.label} is unavailable and no fallback fits`, FAILURE_TYPES.providerUnavailable);
}
