// A script run's cancellation by its creator: answered with the project once the run has
// ended (its running scenes cancelled and refunded, no more started). While Temporal does
// not take the cancel within RUN_CANCEL_DEADLINE_MS, the run's revision says the cancel
// was asked for and a cancel naming the run is recorded for the untold-signals sweep,
// which tells the workflow once Temporal answers (after starting the run, for one saved
// while Temporal did not answer); the person is answered with the project as it stands.
import { askToCancelScriptRun, cancelRequestedSignalFor, scriptRunCancelled } from '../clients/script.ts';
import { ScriptProject, ScriptRevision } from '../db/entities/index.ts';
import type { ProjectView } from '../domain/contracts/script.ts';
import { conflict } from '../domain/errors.ts';
import { RUN_CANCEL_DEADLINE_MS } from '../domain/script.ts';
import { recordAudit } from '../platform/audit.ts';
import { isTemporalUnavailable } from '../platform/temporal.ts';
import { recordUntoldSignals } from '../stores/untold-signals.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { getProject, ownProject } from './script-view.ts';

const notRunning = () => conflict('project_not_running', 'This project is not running.');

/** The run still going on, read again: its revision's id; 409 once it has ended. */
async function runningRevision(deps: UseCaseDeps, projectId: string): Promise<string> {
  const project = await deps.orm.em.fork().findOneOrFail(ScriptProject, { id: projectId });
  if (project.status !== 'running' || !project.runningRevisionId) throw notRunning();
  return project.runningRevisionId;
}

/**
 * The cancel asked for, on the run's revision and for the sweep, in one transaction;
 * asked again, it is kept once.
 */
async function keepCancel(deps: UseCaseDeps, actor: Actor, projectId: string, revisionId: string) {
  await deps.orm.em.fork().transactional(async (em) => {
    const marked = await em.nativeUpdate(
      ScriptRevision,
      { id: revisionId, status: 'running', cancelRequestedAt: null },
      { cancelRequestedAt: new Date() },
    );
    if (marked === 0) return;
    await recordUntoldSignals(em, deps.config.temporal.namespace, [
      cancelRequestedSignalFor(projectId, revisionId, actor.id),
    ]);
  });
}

/**
 * Asks the project's workflow to cancel its run and waits for the run's end; false when
 * the cancel is to be told later: Temporal did not take it in time, or the run has not
 * begun (saved while Temporal did not answer, so its workflow is not started yet; or
 * waiting in its workflow for the run before it to end).
 */
async function cancelNow(deps: UseCaseDeps, actor: Actor, projectId: string): Promise<boolean> {
  let cancelling;
  try {
    cancelling = await deps.temporal.connection.withDeadline(Date.now() + RUN_CANCEL_DEADLINE_MS, () =>
      askToCancelScriptRun(deps.temporal.client, projectId, actor.id),
    );
  } catch (err) {
    // Refused because the run has just ended, or not answered.
    await runningRevision(deps, projectId);
    if (!isTemporalUnavailable(err)) throw err;
    deps.logger.warn(
      { err, projectId },
      'run cancel kept, its workflow not told: the unstarted sweep tells it',
    );
    return false;
  }
  return cancelling !== null && (await scriptRunCancelled(cancelling));
}

/** Cancels the running run: running scenes cancel themselves (and refund), no more start. */
export async function cancelProject(deps: UseCaseDeps, actor: Actor, id: string): Promise<ProjectView> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  if (project.status !== 'running') throw notRunning();
  const kept = !(await cancelNow(deps, actor, project.id));
  // Not ended by the cancel: still running (or 409), and its cancel kept for the sweep.
  if (kept) await keepCancel(deps, actor, project.id, await runningRevision(deps, project.id));
  await recordAudit(em, {
    action: 'script.cancel_requested',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'script_project',
    targetId: project.id,
    subjectUserId: actor.id,
    ...(kept ? { details: { told: 'later' } } : {}),
  });
  return getProject(deps, actor, project.id);
}
