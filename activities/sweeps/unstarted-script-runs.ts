// Script runs saved while Temporal did not answer their workflow's start
// (use-cases/script-run.ts records them in `unstarted_script_runs`): started here, in the
// same scheduled run as unstarted jobs, once Temporal answers again. A run that ended
// meanwhile is only let go. Each row is removed once its start is answered; the workflow
// ignores a run it was already given (its revision id), and one already ended.
import type { MikroORM } from '@mikro-orm/postgresql';
import { startScriptRun } from '../../clients/script.ts';
import type { Config } from '../../config/index.ts';
import { ScriptProject, ScriptRevision, UnstartedScriptRun } from '../../db/entities/index.ts';
import { UNSTARTED_SWEEP_BATCH_SIZE } from '../../domain/generation.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { startEach, type UnstartedSweep } from './unstarted.ts';

export function createUnstartedScriptRunActivities(deps: {
  orm: MikroORM;
  temporal: TemporalClients;
  config: Config;
}) {
  return {
    async startUnstartedScriptRuns(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      const waiting = await em.find(
        UnstartedScriptRun,
        { namespace: deps.config.temporal.namespace },
        { orderBy: { failedAt: 'asc' }, limit: UNSTARTED_SWEEP_BATCH_SIZE },
      );
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
