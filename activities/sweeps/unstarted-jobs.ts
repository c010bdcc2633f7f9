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
import { isTemporalUnavailable, type TemporalClients } from '../../platform/temporal.ts';

/** What one run of an unstarted sweep did (for jobs, or for script runs). */
export interface UnstartedSweep {
  /** Workflows started, or found already started. */
  started: number;
  /** Rows let go: the job or run had ended, or had no account. */
  dropped: number;
  /** Starts Temporal refused (not for being down): their rows stay. */
  refused: number;
}

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
      const result: UnstartedSweep = { started: 0, dropped: 0, refused: 0 };
      for (const job of jobs) {
        if (job.status === 'moderating' && job.user) {
          try {
            await startJobWorkflow(deps.temporal.client, job);
          } catch (err) {
            // Temporal still not answering: the whole run is tried again. A start refused
            // for this job alone stays recorded, for an operator, and holds up no other.
            if (isTemporalUnavailable(err)) throw err;
            result.refused++;
            continue;
          }
          result.started++;
        } else {
          result.dropped++;
        }
        await em.nativeDelete(UnstartedJob, { job: job.id });
      }
      return result;
    },
  };
}
