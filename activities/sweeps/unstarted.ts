// What the unstarted sweep's three steps share: how each reads what is left for it (its
// namespace's records, a batch at a time), and the rule for starts, jobs and script runs
// alike: each recorded start is made if it still waits, let go if it does not, and its
// record removed once Temporal answered it, so a retry, or the next run, starts nothing
// twice.
import type { EntityManager, EntityName, FilterQuery, MikroORM, QueryOrderMap } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { UNSTARTED_SWEEP_BATCH_SIZE } from '../../domain/generation.ts';
import { isTemporalUnavailable, type TemporalClients } from '../../platform/temporal.ts';
import { heartbeat } from '../heartbeat.ts';

/** What an unstarted sweep reads, and starts or tells workflows with. */
export interface UnstartedSweepDeps {
  orm: MikroORM;
  temporal: TemporalClients;
  config: Config;
}

/**
 * The records of `entity` left for the namespace this worker sweeps, in `order`, a batch
 * at a time: the rest wait for the next run.
 */
export function waitingIn<T extends { namespace: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  config: Config,
  order: QueryOrderMap<T>,
) {
  const here = { namespace: config.temporal.namespace } as FilterQuery<T>;
  return em.find(entity, here, { orderBy: order, limit: UNSTARTED_SWEEP_BATCH_SIZE });
}

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
    // Every kind runs in the one activity of a sweep: alive while it works through them.
    heartbeat(result);
  }
  return result;
}
