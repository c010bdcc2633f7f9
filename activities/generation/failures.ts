// Provider errors and our own store's as Temporal failures: retryable ones keep the
// provider's Retry-After, the others end the job (their types are listed in domain/failures.ts).
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES, providerFailureType } from '../../domain/failures.ts';
import { ProviderError } from '../../providers/types.ts';

export const fail = (message: string, type: string, details?: unknown) =>
  ApplicationFailure.nonRetryable(message, type, ...(details === undefined ? [] : [details]));

export function toFailure(err: unknown): unknown {
  if (!(err instanceof ProviderError)) return err;
  if (err.retryable) {
    return ApplicationFailure.create({
      message: err.message,
      type: providerFailureType(err.code),
      nonRetryable: false,
      ...(err.retryAfterMs ? { nextRetryDelay: err.retryAfterMs } : {}),
    });
  }
  return fail(err.message, providerFailureType(err.code), {
    code: err.code,
    outcomeUnknown: err.outcomeUnknown,
  });
}

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
