// Admitting a job, in one local activity keyed by its id: automated moderation of the
// prompt (S-MOD; a refusal or a hold for a person is recorded on the job and audited),
// then the reservation's check and the provider's choice (its circuit breaker, a
// fallback where the person allowed one), with the job's status written as it goes.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { GenerationJob } from '../../db/entities/index.ts';
import { InsufficientCredits, writeLedger } from '../../stores/billing.ts';
import { FAILURE_TYPES } from '../../domain/failures.ts';
import { fallbackCandidates } from '../../domain/generation-parameters.ts';
import { findModel, quoteCredits, type ModelSpec, type ProviderName } from '../../domain/models.ts';
import { moderatePrompt } from '../../domain/moderation.ts';
import { recordAudit } from '../../platform/audit.ts';
import { configuredProviders } from '../../providers/index.ts';
import { jobParameters, loadJob, recordLiveState } from '../../stores/generation.ts';
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
    /** Moderation (unless a person already approved), the reservation, the provider. */
    async startJob(input: { jobId: string; reviewed: boolean }): Promise<JobStart> {
      const job = await loadJob(orm, input.jobId);
      if (!input.reviewed) {
        const verdict = await moderate(orm, job);
        if (verdict) return verdict;
      }
      await ensureReserved(orm, job);
      const choice = await chooseProvider(deps, job);
      await orm.em
        .fork()
        .nativeUpdate(GenerationJob, { id: job.id, startedAt: null }, { startedAt: new Date() });
      await recordLiveState(orm.em.fork(), job.id, { status: 'queued', statusMessage: null });
      return choice;
    },

    /** The chosen provider turned out to be down: another at no higher price, if allowed. */
    async fallBack(jobId: string): Promise<Admitted> {
      return chooseProvider(deps, await loadJob(orm, jobId));
    },
  };
}

/** S-MOD: the verdict recorded on the job; null when the prompt may go on. */
async function moderate(orm: MikroORM, job: GenerationJob): Promise<JobStart | null> {
  const result = moderatePrompt(job.prompt, { hasImageInputs: jobParameters(job).inputs.length > 0 });
  const em = orm.em.fork();
  await em.nativeUpdate(
    GenerationJob,
    { id: job.id },
    { moderationVerdict: result.verdict, moderationCategories: result.categories },
  );
  if (result.verdict === 'allow') return null;
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
  return { verdict: result.verdict, reason: result.reason ?? null };
}

/** The price is reserved when the job is created; this confirms it (idempotent by job). */
async function ensureReserved(orm: MikroORM, job: GenerationJob): Promise<void> {
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
  if (model.provider === 'local' || !(await breakerOpen(orm, model.provider))) {
    return asChoice(model, Boolean(job.originalModel));
  }
  if (!p.fallbackAllowed)
    throw fail(`${model.label} is unavailable right now`, FAILURE_TYPES.providerUnavailable);
  const offered = new Set(configuredProviders(config.providers));
  for (const candidate of fallbackCandidates(model, p, job.creditsQuoted)) {
    if (!offered.has(candidate.provider) || (await breakerOpen(orm, candidate.provider))) continue;
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
