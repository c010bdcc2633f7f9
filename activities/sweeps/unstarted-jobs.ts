// Jobs saved while Temporal did not answer their workflow's start (use-cases/generation.ts
// records them in `unstarted_jobs`): started here, by a Temporal Schedule every minute,
// once Temporal answers again. A job that ended meanwhile, or whose account went, is
// only let go. Each row is removed once its start is answered, so a retry, or the next
// run, starts nothing twice (a workflow already started is left as it is).
import type { MikroORM } from '@mikro-orm/postgresql';
import { startJobWorkflow } from '../../clients/generation.ts';
import type { Config } from '../../config/index.ts';
import { GenerationJob, UnstartedJob } from '../../db/entities/index.ts';
import { UNSTARTED_SWEEP_BATCH_SIZE } from '../../domain/generation.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { startEach, type UnstartedSweep } from './unstarted.ts';

export function createUnstartedJobActivities(deps: {
  orm: MikroORM;
  temporal: TemporalClients;
  config: Config;
}) {
  return {
    async startUnstartedJobs(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      const waiting = await em.find(
        UnstartedJob,
        { namespace: deps.config.temporal.namespace },
        { orderBy: { failedAt: 'asc' }, limit: UNSTARTED_SWEEP_BATCH_SIZE },
      );
      const jobs = await em.find(GenerationJob, { id: { $in: waiting.map((w) => w.job) } });
      return startEach(jobs, {
        waits: (job) => job.status === 'moderating' && Boolean(job.user),
        start: (job) => startJobWorkflow(deps.temporal.client, job),
        forget: (job) => em.nativeDelete(UnstartedJob, { job: job.id }),
      });
    },
  };
}
