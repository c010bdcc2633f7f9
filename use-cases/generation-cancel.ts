// A job's cancellation by its owner: answered with the final state once the job has
// ended (its provider task cancelled, its credits released). While Temporal does not take
// the cancel within JOB_CANCEL_DEADLINE_MS, the job's row says the cancel was asked for
// and the cancel is recorded for the untold-signals sweep, which tells the workflow once
// Temporal answers (after starting it, for a job saved while Temporal did not answer);
// the person is answered with the job as it stands.
import { askToCancelGeneration, cancelRequestedSignalFor } from '../clients/generation.ts';
import { GenerationJob, UnstartedJob } from '../db/entities/index.ts';
import type { JobView } from '../domain/contracts/generation.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { JOB_CANCEL_DEADLINE_MS, TERMINAL_JOB_STATUSES, isTerminal } from '../domain/generation.ts';
import { recordAudit } from '../platform/audit.ts';
import { isTemporalUnavailable } from '../platform/temporal.ts';
import { recordUntoldSignals } from '../stores/untold-signals.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { ownJob, viewOf } from './generation-view.ts';

const finished = (status: GenerationJob['status']) =>
  conflict('job_finished', `This job has already ${status}.`);

/**
 * The cancel asked for, in the job's row and for the sweep, in one transaction; asked
 * again, it is kept once.
 */
async function keepCancel(deps: UseCaseDeps, actor: Actor, jobId: string): Promise<void> {
  await deps.orm.em.fork().transactional(async (em) => {
    const marked = await em.nativeUpdate(
      GenerationJob,
      { id: jobId, status: { $nin: [...TERMINAL_JOB_STATUSES] }, cancelRequestedAt: null },
      { cancelRequestedAt: new Date() },
    );
    if (marked === 0) return;
    await recordUntoldSignals(em, deps.config.temporal.namespace, [
      cancelRequestedSignalFor(jobId, actor.id),
    ]);
  });
}

/**
 * Asks the job's workflow to cancel and waits for the job's end; false when the cancel
 * is to be told later: Temporal did not take it in time, or the job's workflow was not
 * started yet (a job saved while Temporal did not answer: the sweep starts it, then tells
 * it the cancel).
 */
async function cancelNow(deps: UseCaseDeps, actor: Actor, job: GenerationJob): Promise<boolean> {
  let cancelling;
  try {
    cancelling = await deps.temporal.connection.withDeadline(Date.now() + JOB_CANCEL_DEADLINE_MS, () =>
      askToCancelGeneration(deps.temporal.client, job.id, actor.id),
    );
  } catch (err) {
    // Refused because the job has just ended, or not answered.
    const fresh = await deps.orm.em.fork().findOneOrFail(GenerationJob, { id: job.id });
    if (isTerminal(fresh.status)) throw finished(fresh.status);
    if (!isTemporalUnavailable(err)) throw err;
    deps.logger.warn(
      { err, jobId: job.id },
      'cancel kept, its workflow not told: the unstarted sweep tells it',
    );
    return false;
  }
  if (cancelling) {
    await cancelling.result();
    return true;
  }
  if (!(await deps.orm.em.fork().count(UnstartedJob, { job: job.id }))) throw notFound('No such job.');
  return false;
}

/** Cancels the job and answers with its final state, or, the cancel kept, as it stands. */
export async function cancelJob(deps: UseCaseDeps, actor: Actor, id: string): Promise<JobView> {
  const em = deps.orm.em.fork();
  const job = await ownJob(em, actor, id);
  if (isTerminal(job.status)) throw finished(job.status);
  const kept = !(await cancelNow(deps, actor, job));
  if (kept) await keepCancel(deps, actor, job.id);
  await recordAudit(em, {
    action: 'job.cancel_requested',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'job',
    targetId: job.id,
    subjectUserId: actor.id,
    ...(kept ? { details: { told: 'later' } } : {}),
  });
  return viewOf(em, await em.fork().findOneOrFail(GenerationJob, { id: job.id }));
}
