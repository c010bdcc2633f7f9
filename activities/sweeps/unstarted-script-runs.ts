// Script runs saved while Temporal did not answer their workflow's start
// (use-cases/script-run.ts records them in `unstarted_script_runs`): started here, in the
// same scheduled run as unstarted jobs, once Temporal answers again. A run that ended
// meanwhile is only let go. Each row is removed once its start is answered; the workflow
// ignores a run it was already given (its revision id), and one already ended.
import { startScriptRun } from '../../clients/script.ts';
import { ScriptProject, ScriptRevision, UnstartedScriptRun } from '../../db/entities/index.ts';
import { startEach, waitingIn, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

export function createUnstartedScriptRunActivities(deps: UnstartedSweepDeps) {
  return {
    async startUnstartedScriptRuns(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      const waiting = await waitingIn(em, UnstartedScriptRun, deps.config, { failedAt: 'asc' });
      const revisions = await em.find(ScriptRevision, { id: { $in: waiting.map((w) => w.revision) } });
      const owners = new Map(
        (
          await em.find(ScriptProject, { id: { $in: revisions.map((r) => r.project) } }, { fields: ['user'] })
        ).map((p) => [p.id, p.user]),
      );
      return startEach(revisions, {
        waits: (revision) => revision.status === 'running' && owners.has(revision.project),
        start: (revision) =>
          startScriptRun(
            deps.temporal.client,
            { projectId: revision.project, userId: owners.get(revision.project)! },
            { revisionId: revision.id },
          ),
        forget: (revision) => em.nativeDelete(UnstartedScriptRun, { revision: revision.id }),
      });
    },
  };
}
