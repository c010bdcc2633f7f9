// The steps that store what they make (a job's output copy and built-in render, a script
// run's voice track and composition) count their own failures against a few attempts,
// and keep trying for a while when our own storage (the object store, the database) does
// not answer: an outage of ours should not end the work. Their retry policies' attempts
// are only a backstop (activities/storing.ts decides when to stop).
import { SECOND } from './time.ts';

/** The longest wait between two attempts at such a step, so one starts soon after storage is back. */
export const STORING_RETRY_MAX_INTERVAL_MS = 30 * SECOND;

/** A retry policy's backstop: a step's own attempts, and as many more as its store's wait holds. */
export const storingMaxAttempts = (attempts: number, storeWaitMs: number): number =>
  attempts + Math.ceil(storeWaitMs / STORING_RETRY_MAX_INTERVAL_MS);
