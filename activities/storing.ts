// Our own storage's failures as Temporal failures, and when a step that stores what it
// makes (a job's output copy and built-in render, a script run's voice track and
// composition) stops trying: its own failures after a few attempts, an outage of our
// object store or database only once the step's wait for it is over.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { FAILURE_TYPES, failureType } from '../domain/failures.ts';
import { STORING_RETRY_MAX_INTERVAL_MS } from '../domain/storing.ts';

/** Our own store failed a read or a write: retryable, and never taken for the provider's failure. */
export function storageFailure(err: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    message: `our storage did not answer: ${err instanceof Error ? err.message : String(err)}`,
    type: FAILURE_TYPES.storageUnavailable,
    nonRetryable: false,
    ...(err instanceof Error ? { cause: err } : {}),
  });
}

/** The same failure, made final: the retry policy gives up on it. */
export function finalFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure && err.nonRetryable) return err;
  return ApplicationFailure.create({
    message: err instanceof Error ? err.message : String(err),
    type: (err instanceof ApplicationFailure ? err.type : err instanceof Error ? err.name : null) ?? 'Error',
    nonRetryable: true,
    ...(err instanceof ApplicationFailure && err.details ? { details: err.details } : {}),
    ...(err instanceof Error ? { cause: err instanceof ApplicationFailure ? err.cause : err } : {}),
  });
}

/**
 * How many tries a step that stores gets: `attempts` for its own failures; while our own
 * storage (the object store, the database) does not answer, as many as fit in
 * `storeWaitMs` from its first attempt, so an outage of ours does not end the work. Its
 * retry policy's attempts are only a backstop (domain/storing.ts).
 */
export interface StoringTries {
  attempts: number;
  storeWaitMs: number;
  /** The failure type a step that ran out of timed-out attempts ends with. */
  spentType: string;
}

/**
 * Thrown at the start of an attempt when the tries are spent: attempts that timed out
 * (a step that hung) leave no failure to read, so once `attempts` are behind and the
 * store's wait is over too, no further attempt runs.
 */
function assertTriesLeft(tries: StoringTries): void {
  const { attempt, scheduledTimestampMs } = Context.current().info;
  if (
    attempt > tries.attempts &&
    Date.now() - scheduledTimestampMs > tries.storeWaitMs + STORING_RETRY_MAX_INTERVAL_MS
  ) {
    throw ApplicationFailure.create({
      message: `did not finish in ${attempt - 1} attempts`,
      type: tries.spentType,
      nonRetryable: true,
    });
  }
}

/**
 * One attempt of a step that stores: none once its tries are spent, and its failure made
 * final once they are (its own after `attempts`, our storage's after `storeWaitMs`).
 */
export async function storing<T>(tries: StoringTries, attempt: () => Promise<T>): Promise<T> {
  assertTriesLeft(tries);
  try {
    return await attempt();
  } catch (err) {
    throw storingFailure(err, tries);
  }
}

/** The failure of one attempt, made final once the step's tries are spent. */
function storingFailure(err: unknown, tries: StoringTries): unknown {
  const { attempt, scheduledTimestampMs } = Context.current().info;
  const ours = isDatabaseUnavailable(err) ? storageFailure(err) : err;
  if (failureType(ours) === FAILURE_TYPES.storageUnavailable) {
    return Date.now() - scheduledTimestampMs < tries.storeWaitMs ? ours : finalFailure(ours);
  }
  return attempt < tries.attempts ? err : finalFailure(err);
}
