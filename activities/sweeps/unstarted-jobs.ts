// Jobs saved while Temporal did not answer their workflow's start (use-cases/generation.ts
// records them in `unstarted_jobs`): started here, by a Temporal Schedule every minute,
// once Temporal answers again. A job that ended meanwhile, or whose account went, is
// only let go. Each row is removed once its start is answered, so a retry, or the next
// run, starts nothing twice (a workflow already started is left as it is).
import { startJobWorkflow } from '../../clients/generation.ts';
import { GenerationJob, UnstartedJob } from '../../db/entities/index.ts';
import { namedIn, startEach, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

export function createUnstartedJobActivities(deps: UnstartedSweepDeps) {
  return {
    async startUnstartedJobs(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      return startEach(
        namedIn(em, UnstartedJob, deps.config, (w) => w.job, GenerationJob),
        {
          waits: (job) => job.status === 'moderating' && Boolean(job.user),
          start: (job) => startJobWorkflow(deps.temporal.client, job),
          forget: (job) => em.nativeDelete(UnstartedJob, { job: job.id }),
        },
      );
    },
  };
}
