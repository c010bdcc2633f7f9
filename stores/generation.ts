// A generation job's records as both sides use them: the workflow's activities write the
// job's live state (status, progress, queue position) as they go, and the API reads it
// from here (and hears of each change by PostgreSQL NOTIFY), never from the workflow.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { GenerationJob } from '../db/entities/index.ts';
import { FAILURE_TYPES } from '../domain/failures.ts';
import type { JobParameters, JobStatus } from '../domain/generation.ts';
import { setGivenColumns } from './sql-sets.ts';

/** The channel PostgreSQL announces a job's change on (the migration's trigger). */
export const JOB_CHANNEL = 'generation_job';

export async function loadJob(orm: MikroORM, jobId: string): Promise<GenerationJob> {
  const job = await orm.em.fork().findOne(GenerationJob, { id: jobId });
  if (!job) throw ApplicationFailure.nonRetryable(`no job ${jobId}`, FAILURE_TYPES.jobNotFound);
  return job;
}

export const jobParameters = (job: GenerationJob) => job.parameters as unknown as JobParameters;

export interface LiveState {
  status?: JobStatus;
  progress?: number | null;
  queuePosition?: number | null;
  etaSeconds?: number | null;
  statusMessage?: string | null;
}

/**
 * Records what the job is doing now. A status only moves on while the job has not
 * ended (a late poll never reopens a finished job); progress never goes backwards.
 */
export async function recordLiveState(em: EntityManager, jobId: string, live: LiveState): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [];
  if (live.status) {
    sets.push('status = ?', 'status_changed_at = now()');
    values.push(live.status);
  }
  if (live.progress !== undefined) {
    sets.push('progress = greatest(coalesce(progress, 0), ?)');
    values.push(live.progress === null ? 0 : Math.max(0, Math.min(1, live.progress)));
  }
  setGivenColumns(sets, values, [
    ['queue_position', live.queuePosition],
    ['eta_seconds', live.etaSeconds],
    ['status_message', live.statusMessage],
  ]);
  if (sets.length === 0) return;
  await em.execute(
    `update generation_jobs set ${sets.join(', ')}
      where id = ? and status not in ('succeeded', 'failed', 'cancelled', 'rejected')`,
    [...values, jobId],
  );
}
