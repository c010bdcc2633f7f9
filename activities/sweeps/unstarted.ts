// What the unstarted sweep's three steps share: how each reads what is left for it (its
// namespace's records, a batch at a time), and the rule for starts, jobs and script runs
// alike: each recorded start is made if it still waits, let go if it does not, and its
// record removed once Temporal answered it, so a retry, or the next run, starts nothing
// twice.
import type { EntityManager, EntityName, FilterQuery, MikroORM, QueryOrderMap } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import {
  UNSTARTED_REFUSAL_MAX_CHARS,
  UNSTARTED_SWEEP_BATCH_SIZE,
  UNSTARTED_SWEEP_MAX_BATCHES,
} from '../../domain/generation.ts';
import { isTemporalUnavailable, type TemporalClients } from '../../platform/temporal.ts';
import { heartbeat } from '../heartbeat.ts';

/** What an unstarted sweep reads, and starts or tells workflows with. */
export interface UnstartedSweepDeps {
  orm: MikroORM;
  temporal: TemporalClients;
  config: Config;
}

/**
 * The records of `entity` left for the namespace this worker sweeps, in `order` (then by
 * key, so that every read of a run sees them in the same order), a batch at a time from
 * `offset`: the ones before it stay where they are this run (refused, or held behind a
 * refused one), and the rest wait for the next batch.
 */
export function waitingIn<T extends { namespace: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  config: Config,
  order: QueryOrderMap<T>,
  offset = 0,
) {
  const here = { namespace: config.temporal.namespace } as FilterQuery<T>;
  const byKey = Object.fromEntries(
    em
      .getMetadata()
      .find(entity)!
      .primaryKeys.map((key) => [key, 'asc']),
  ) as QueryOrderMap<T>;
  return em.find(entity, here, { orderBy: [order, byKey], limit: UNSTARTED_SWEEP_BATCH_SIZE, offset });
}

/**
 * What the records waiting in `waiting` name (by `named`): `entity`'s rows, read a batch
 * at a time from `offset` as `waitingIn` reads the records, in the records' order, oldest
 * first: the job kept first is started first, not where the database's `in` puts it.
 */
export function namedIn<W extends { namespace: string; failedAt: Date }, T extends { id: string }>(
  em: EntityManager,
  waiting: EntityName<W>,
  config: Config,
  named: (record: W) => string,
  entity: EntityName<T>,
): (offset: number) => Promise<T[]> {
  return async (offset) => {
    const records = await waitingIn(em, waiting, config, { failedAt: 'asc' } as QueryOrderMap<W>, offset);
    const rows = await em.find(entity, { id: { $in: records.map(named) } } as unknown as FilterQuery<T>);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return records.flatMap((record) => byId.get(named(record)) ?? []);
  };
}

/**
 * Reads batches with `read` and hands each to `each` until a batch's worth were answered
 * (`answered` of the running total), none is left, or `UNSTARTED_SWEEP_MAX_BATCHES` were
 * read. Each batch is read past the records that stay (`stayed`): answered ones are
 * removed as they go, so those that stay come first, and however many Temporal refused,
 * they hold up no other record.
 */
export async function batchByBatch<T>(
  read: (offset: number) => Promise<readonly T[]>,
  each: (batch: readonly T[]) => Promise<void>,
  progress: { answered(): number; stayed(): number },
): Promise<void> {
  for (let batches = 0; batches < UNSTARTED_SWEEP_MAX_BATCHES; batches++) {
    const batch = await read(progress.stayed());
    if (batch.length === 0) return;
    await each(batch);
    if (progress.answered() >= UNSTARTED_SWEEP_BATCH_SIZE) return;
  }
}

/** What one run of an unstarted sweep did (for jobs, or for script runs). */
export interface UnstartedSweep {
  /** Workflows started, or found already started. */
  started: number;
  /** Rows let go: the job or run had ended, or had no account. */
  dropped: number;
  /** Starts Temporal refused (not for being down): their rows stay. */
  refused: number;
  /** Why the first of them was refused (Temporal's answer), when one was. */
  firstRefusal?: string;
}

/**
 * Why a start or a signal was refused, as an operator reads it in the sweep's history and
 * its warning: the error's message and, when the client wrapped Temporal's answer (a
 * `ServiceError`), that answer too.
 */
export function refusalOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
  const reason = cause && !message.includes(cause) ? `${message}: ${cause}` : message;
  return reason.slice(0, UNSTARTED_REFUSAL_MAX_CHARS);
}

export async function startEach<T>(
  read: (offset: number) => Promise<readonly T[]>,
  step: {
    /** Still to start: its workflow was never started, and its account is there. */
    waits(item: T): boolean;
    start(item: T): Promise<unknown>;
    forget(item: T): Promise<unknown>;
  },
): Promise<UnstartedSweep> {
  const result: UnstartedSweep = { started: 0, dropped: 0, refused: 0 };
  const each = async (waiting: readonly T[]) => {
    for (const item of waiting) {
      if (step.waits(item)) {
        try {
          await step.start(item);
        } catch (err) {
          // Temporal still not answering: the whole run is tried again. A start refused
          // for this one alone stays recorded, for an operator, and holds up no other.
          if (isTemporalUnavailable(err)) throw err;
          result.refused++;
          result.firstRefusal ??= refusalOf(err);
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
  };
  await batchByBatch(read, each, {
    answered: () => result.started + result.dropped,
    stayed: () => result.refused,
  });
  return result;
}
