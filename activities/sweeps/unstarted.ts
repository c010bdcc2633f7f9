// The unstarted sweep's one rule, for jobs and script runs alike: each recorded start is
// made if it still waits, let go if it does not, and its record removed once Temporal
// answered it, so a retry, or the next run, starts nothing twice.
import { isTemporalUnavailable } from '../../platform/temporal.ts';

/** What one run of an unstarted sweep did (for jobs, or for script runs). */
export interface UnstartedSweep {
  /** Workflows started, or found already started. */
  started: number;
  /** Rows let go: the job or run had ended, or had no account. */
  dropped: number;
  /** Starts Temporal refused (not for being down): their rows stay. */
  refused: number;
}

export async function startEach<T>(
  waiting: readonly T[],
  step: {
    /** Still to start: its workflow was never started, and its account is there. */
    waits(item: T): boolean;
    start(item: T): Promise<unknown>;
    forget(item: T): Promise<unknown>;
  },
): Promise<UnstartedSweep> {
  const result: UnstartedSweep = { started: 0, dropped: 0, refused: 0 };
  for (const item of waiting) {
    if (step.waits(item)) {
      try {
        await step.start(item);
      } catch (err) {
        // Temporal still not answering: the whole run is tried again. A start refused
        // for this one alone stays recorded, for an operator, and holds up no other.
        if (isTemporalUnavailable(err)) throw err;
        result.refused++;
        continue;
      }
      result.started++;
    } else {
      result.dropped++;
    }
    await step.forget(item);
  }
  return result;
}
