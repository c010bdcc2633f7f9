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
import { waitingIn, type UnstartedSweepDeps } from './unstarted.ts';

export interface UntoldSignalSweep {
  /** Signals a running workflow took. */
  sent: number;
  /** Signals whose workflow was no longer running: let go. */
  dropped: number;
  /** Signals Temporal refused (not for being down): their rows stay, for an operator. */
  refused: number;
}

export function createUntoldSignalActivities(deps: UnstartedSweepDeps) {
  return {
    async sendUntoldSignals(): Promise<UntoldSignalSweep> {
      const em = deps.orm.em.fork();
      const untold = await waitingIn(em, UntoldSignal, deps.config, { id: 'asc' });
      const result: UntoldSignalSweep = { sent: 0, dropped: 0, refused: 0 };
      // A workflow one of whose signals was refused gets none of its later ones this run.
      const refusedWorkflows = new Set<string>();
      for (const row of untold) {
        if (refusedWorkflows.has(row.workflowId)) continue;
        try {
          const heard = await sendSignal(deps.temporal.client, row);
          result[heard ? 'sent' : 'dropped']++;
        } catch (err) {
          // Temporal still not answering fails the whole run, to be tried again (a signal
          // sent twice is read again by its workflow, which acts on it once).
          if (isTemporalUnavailable(err)) throw err;
          refusedWorkflows.add(row.workflowId);
          result.refused++;
          continue;
        }
        await em.nativeDelete(UntoldSignal, { id: row.id });
        heartbeat(result);
      }
      return result;
    },
  };
}
