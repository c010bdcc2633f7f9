// Take-down requests filed while Temporal did not answer their workflow's start
// (use-cases/takedown.ts records them in `unstarted_takedowns`): started here, in the
// same scheduled run as unstarted jobs, once Temporal answers. The workflow waits for a
// decision without end, and a decision the legal team made before it started found no
// workflow and was let go: so once started, it is told the decision the row holds then,
// and upheld content is removed at once. Each row is removed once its start is answered;
// a start tried again finds the workflow started under the request's own id, and a
// decision told twice is taken once.
import { sendSignal } from '../../clients/signals.ts';
import { startTakedown, takedownDecisionSignalFor } from '../../clients/takedown.ts';
import { TakedownRequest, UnstartedTakedown } from '../../db/entities/index.ts';
import { namedIn, startEach, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

export function createUnstartedTakedownActivities(deps: UnstartedSweepDeps) {
  /** Tells the workflow just started the decision its row holds now, if a person made one. */
  async function tellDecision(takedownId: string) {
    const row = await deps.orm.em.fork().findOne(TakedownRequest, { id: takedownId });
    if (!row?.decision || !row.decidedBy) return;
    const decision = { upheld: row.decision === 'upheld', decidedBy: row.decidedBy };
    await sendSignal(deps.temporal.client, takedownDecisionSignalFor(takedownId, decision));
  }

  return {
    async startUnstartedTakedowns(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      return startEach(
        namedIn(em, UnstartedTakedown, deps.config, (w) => w.takedown, TakedownRequest),
        {
          waits: (row) => row.status !== 'closed',
          start: async (row) => {
            const answerWindowMs = deps.config.durations.takedownAnswerMs;
            await startTakedown(deps.temporal.client, { takedownId: row.id, answerWindowMs });
            await tellDecision(row.id);
          },
          forget: (row) => em.nativeDelete(UnstartedTakedown, { takedown: row.id }),
        },
      );
    },
  };
}
