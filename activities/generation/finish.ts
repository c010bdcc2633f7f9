// Ending a job, in one local activity keyed by its id: the exact charge (the quoted
// price, or a cheaper fallback's, the difference given back) or, for a job that ends
// without a video, the whole reservation released with the reason; its temporary files
// deleted with proof (R-TEMP); the end recorded and audited once.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { Asset, GenerationJob } from '../../db/entities/index.ts';
import { writeLedger } from '../../stores/billing.ts';
import type { EndStatus, FailureCode } from '../../domain/generation.ts';
import { findModel, quoteCredits } from '../../domain/models.ts';
import { settleAll } from '../../platform/settle.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { endJob, jobParameters, loadJobWithChecks } from '../../stores/generation.ts';
import { closeJobReviews } from '../../stores/moderation.ts';
import { deleteAssetSoon } from '../../stores/retention.ts';

interface FinishDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
}

export interface JobEnd {
  jobId: string;
  status: EndStatus;
  failureCode?: FailureCode;
  failureDetail?: string;
}

export function createFinishActivities(deps: FinishDeps) {
  return {
    async finishJob(input: JobEnd): Promise<{ creditsCharged: number }> {
      const { orm } = deps;
      const { job, hasTempFiles } = await loadJobWithChecks(orm, input.jobId);
      // The charge and the look for temporary files (only where the read saw some), side
      // by side: neither needs the other.
      const [charged, temps] = await settleAll([
        input.status === 'succeeded' ? capture(orm, job) : release(orm, job, input),
        hasTempFiles
          ? orm.em.fork().find(Asset, { jobId: job.id, kind: 'temp', status: { $ne: 'deleted' } })
          : [],
      ]);
      // A store that does not answer does not hold up the job's end: the retention
      // workflows delete those files once it answers (R-TEMP).
      for (const temp of temps) await deleteAssetSoon(deps, temp, { reason: 'job_finished' });
      if (input.status !== 'succeeded') await withdrawHeldOutput(deps, job, input);
      await endJob(
        orm.em,
        job.id,
        {
          status: input.status,
          failureCode: input.failureCode ?? null,
          failureReason: input.failureDetail?.slice(0, 1000) ?? null,
          creditsCharged: charged,
        },
        {
          action: `job.${input.status}`,
          actorRole: 'system',
          targetType: 'job',
          targetId: job.id,
          subjectUserId: job.user,
          details: input.failureCode ? { failureCode: input.failureCode } : {},
        },
      );
      return { creditsCharged: charged };
    },
  };
}

/**
 * A job that ends without a video after its output was stored (a held video a person
 * refused, whose review expired, or that was cancelled while held) leaves nothing behind:
 * the video is deleted with proof, and an open review is closed (S-MOD).
 */
async function withdrawHeldOutput(deps: FinishDeps, job: GenerationJob, end: JobEnd): Promise<void> {
  const em = deps.orm.em.fork();
  const byModeration = end.failureCode === 'review_rejected' || end.failureCode === 'review_expired';
  await closeJobReviews(
    em,
    job.id,
    end.failureCode === 'review_expired' ? 'the review expired' : 'the job ended',
  );
  if (!job.outputAssetId) return;
  const output = await em.findOne(Asset, { id: job.outputAssetId, status: { $ne: 'deleted' } });
  if (!output) return;
  if (end.failureCode === 'review_rejected') {
    await em.nativeUpdate(Asset, { id: output.id }, { moderation: 'rejected' });
  }
  await deleteAssetSoon(deps, output, { reason: byModeration ? 'moderation' : 'job_finished' });
}

/** The price, or the cheaper fallback's; what was reserved and not charged goes back. */
async function capture(orm: MikroORM, job: GenerationJob): Promise<number> {
  const model = findModel(job.model);
  const credits = job.originalModel && model ? quoteCredits(model, jobParameters(job)) : job.creditsQuoted;
  await writeLedger(orm.em.fork(), { userId: job.user!, kind: 'capture', credits, jobId: job.id });
  const unused = job.creditsQuoted - credits;
  if (unused > 0) {
    await writeLedger(orm.em.fork(), {
      userId: job.user!,
      kind: 'release',
      credits: unused,
      jobId: job.id,
      note: 'cheaper fallback: difference returned',
    });
  }
  return credits;
}

/** Gives back the whole reservation, with the reason recorded. */
async function release(orm: MikroORM, job: GenerationJob, end: JobEnd): Promise<number> {
  const em = orm.em.fork();
  const [reserved] = await em.execute<{ credits: number }[]>(
    `select credits from credit_ledger where job_id = ? and kind = 'reserve'`,
    [job.id],
  );
  if (reserved) {
    await writeLedger(em, {
      userId: job.user!,
      kind: 'release',
      credits: Number(reserved.credits),
      jobId: job.id,
      note: end.failureCode ?? 'provider_failed',
    });
  }
  return 0;
}
