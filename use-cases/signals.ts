// Telling workflows of a change a request made. The change is made first (PostgreSQL is
// what every reader reads); its signals follow within SIGNAL_DEADLINE_MS, or, while
// Temporal does not answer, are recorded for the unstarted sweep, and the request is
// answered as the change was made.
import { sendSignals, type WorkflowSignal } from '../clients/signals.ts';
import { SIGNAL_DEADLINE_MS } from '../domain/temporal.ts';
import { isTemporalUnavailable } from '../platform/temporal.ts';
import { recordUntoldSignals } from '../stores/untold-signals.ts';
import type { UseCaseDeps } from './deps.ts';

/** Sends the signals; how many workflows heard theirs at once (none while Temporal is down). */
export async function tell(deps: UseCaseDeps, signals: readonly WorkflowSignal[]): Promise<number> {
  const sent: boolean[] = [];
  try {
    return await deps.temporal.connection.withDeadline(Date.now() + SIGNAL_DEADLINE_MS, () =>
      sendSignals(deps.temporal.client, signals, sent),
    );
  } catch (err) {
    if (!isTemporalUnavailable(err)) throw err;
    const untold = signals.filter((_, i) => !sent[i]);
    await recordUntoldSignals(deps.orm.em.fork(), deps.config.temporal.namespace, untold);
    deps.logger.warn(
      { err, untold: untold.length },
      'change made, its workflows not told: the unstarted sweep tells them',
    );
    return 0;
  }
}
