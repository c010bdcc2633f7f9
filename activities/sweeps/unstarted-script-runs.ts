// Script runs saved while Temporal did not answer their workflow's start
// (use-cases/script-run.ts records them in `unstarted_script_runs`): started here, in the
// same scheduled run as unstarted jobs, once Temporal answers again. A run that ended
// meanwhile is only let go. Each row is removed once its start is answered; the workflow
// ignores a run it was already given (its revision id), and one already ended.
import { startScriptRun } from '../../clients/script.ts';
import { ScriptProject, ScriptRevision, UnstartedScriptRun } from '../../db/entities/index.ts';
import { namedIn, startEach, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

export function createUnstartedScriptRunActivities(deps: UnstartedSweepDeps) {
  return {
    async startUnstartedScriptRuns(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      // The owners of the projects whose runs were read so far.
      const owners = new Map<string, string>();
      const revisionsFrom = namedIn(em, UnstartedScriptRun, deps.config, (w) => w.revision, ScriptRevision);
      const read = async (offset: number) => {
        const revisions = await revisionsFrom(offset);
        const projects = { id: { $in: revisions.map((r) => r.project) } };
        for (const project of await em.find(ScriptProject, projects, { fields: ['user'] }))
          owners.set(project.id, project.user);
        return revisions;
      };
      return startEach(read, {
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
