// Signals Temporal did not take while it did not answer (use-cases/signals.ts records them
// in `untold_signals`), for changes already made: sent here, in the same scheduled run as
// unstarted jobs, once Temporal answers, in the order they were recorded. A review decided
// or a hold released during an outage reaches its workflow within a minute of Temporal
// answering: before, never (a held job waited out its review, a deferred deletion its
// workflow's daily look at the holds).
import { sendSignal } from '../../clients/signals.ts';
import { UntoldSignal } from '../../db/entities/index.ts';
import { isTemporalUnavailable } from '../../platform/temporal.ts';
import { heartbeat } from '../heartbeat.ts';
import { batchByBatch, refusalOf, waitingIn, type UnstartedSweepDeps } from './unstarted.ts';

export interface UntoldSignalSweep {
  /** Signals a running workflow took. */
  sent: number;
  /** Signals whose workflow was no longer running: let go. */
  dropped: number;
  /** Signals Temporal refused (not for being down): their rows stay, for an operator. */
  refused: number;
  /** Why the first of them was refused (Temporal's answer), when one was. */
  firstRefusal?: string;
}

/**
 * Tells each waiting item in order, batch by batch (`read`), and forgets it once Temporal
 * answered: `tell` is true when its workflow heard it, false when it was let go. One
 * refused (not for Temporal being down) stays recorded, for an operator, and the later
 * ones for the same workflow (`workflowOf`) stay with it, so they are never heard before
 * it; the next batch is read past them.
 */
export async function tellEach<T>(
  read: (offset: number) => Promise<readonly T[]>,
  step: { workflowOf(item: T): string; tell(item: T): Promise<boolean>; forget(item: T): Promise<unknown> },
): Promise<UntoldSignalSweep> {
  const result: UntoldSignalSweep = { sent: 0, dropped: 0, refused: 0 };
  const refusedWorkflows = new Set<string>();
  let heldBehind = 0;
  const each = async (untold: readonly T[]) => {
    for (const item of untold) {
      if (refusedWorkflows.has(step.workflowOf(item))) {
        heldBehind++;
        continue;
      }
      try {
        result[(await step.tell(item)) ? 'sent' : 'dropped']++;
      } catch (err) {
        // Temporal still not answering fails the whole run, to be tried again (a signal
        // sent twice is read again by its workflow, which acts on it once).
        if (isTemporalUnavailable(err)) throw err;
        refusedWorkflows.add(step.workflowOf(item));
        result.refused++;
        result.firstRefusal ??= refusalOf(err);
        continue;
      }
      await step.forget(item);
      heartbeat(result);
    }
  };
  await batchByBatch(read, each, {
    answered: () => result.sent + result.dropped,
    stayed: () => result.refused + heldBehind,
  });
  return result;
}

export function createUntoldSignalActivities(deps: UnstartedSweepDeps) {
  return {
    async sendUntoldSignals(): Promise<UntoldSignalSweep> {
      const em = deps.orm.em.fork();
      return tellEach((offset) => waitingIn(em, UntoldSignal, deps.config, { id: 'asc' }, offset), {
        workflowOf: (row) => row.workflowId,
        tell: (row) => sendSignal(deps.temporal.client, row),
        forget: (row) => em.nativeDelete(UntoldSignal, { id: row.id }),
      });
    },
  };
}
