// Temporal calls a request need not wait for: a job's or a script run's start, an upload's
// retention, a person's deletion told to it, one of Stripe's subscription events. Each is given a deadline; while Temporal does
// not answer, what it was to do is recorded for the unstarted sweep
// (activities/sweeps/unstarted*.ts), which makes the call once Temporal answers, and the
// request goes on as if it were made. A call Temporal refused is thrown: the sweep would
// be refused again.
import type { EntityManager } from '@mikro-orm/postgresql';
import { isTemporalUnavailable } from '../platform/temporal.ts';
import type { UseCaseDeps } from './deps.ts';

export interface RecordedCall<T> {
  deadlineMs: number;
  call(): Promise<T>;
  /** Keeps the call for the sweep of this deployment's namespace. */
  record(em: EntityManager, namespace: string): Promise<void>;
  /** What the warning says, with what it is about (ids only). */
  warning: { message: string; context: Record<string, string> };
}

/**
 * What the call answered, or null when it was recorded, in `em` when given (the caller's
 * transaction, so the record commits with the rest of the request's writes).
 */
export async function callOrRecord<T>(
  deps: UseCaseDeps,
  recorded: RecordedCall<T>,
  em?: EntityManager,
): Promise<{ answer: T } | null> {
  try {
    return {
      answer: await deps.temporal.connection.withDeadline(Date.now() + recorded.deadlineMs, recorded.call),
    };
  } catch (err) {
    if (!isTemporalUnavailable(err)) throw err;
    await recorded.record(em ?? deps.orm.em.fork(), deps.config.temporal.namespace);
    deps.logger.warn({ err, ...recorded.warning.context }, recorded.warning.message);
    return null;
  }
}
