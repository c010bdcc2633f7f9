// Temporal calls a request need not wait for: a job's or a script run's start, an upload's
// retention, a person's deletion told to it. Each is given a deadline; while Temporal does
// not answer, what it was to do is recorded for the unstarted sweep
// (activities/sweeps/unstarted*.ts), which makes the call once Temporal answers, and the
// request goes on as if it were made. A call Temporal refused is thrown: the sweep would
// be refused again.
import type { EntityManager } from '@mikro-orm/postgresql';
import { isTemporalUnavailable } from '../platform/temporal.ts';
import type { UseCaseDeps } from './deps.ts';

export interface RecordedCall {
  deadlineMs: number;
  call(): Promise<unknown>;
  /** Keeps the call for the sweep of this deployment's namespace. */
  record(em: EntityManager, namespace: string): Promise<void>;
  /** What the warning says, with what it is about (ids only). */
  warning: { message: string; context: Record<string, string> };
}

export async function callOrRecord(deps: UseCaseDeps, recorded: RecordedCall): Promise<void> {
  try {
    await deps.temporal.connection.withDeadline(Date.now() + recorded.deadlineMs, recorded.call);
  } catch (err) {
    if (!isTemporalUnavailable(err)) throw err;
    await recorded.record(deps.orm.em.fork(), deps.config.temporal.namespace);
    deps.logger.warn({ err, ...recorded.warning.context }, recorded.warning.message);
  }
}
