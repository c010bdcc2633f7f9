// Provider errors and our own database's as Temporal failures: retryable ones keep the
// provider's Retry-After, the others end the job (their types are listed in
// domain/failures.ts); the steps that store decide themselves when to stop trying
// (activities/storing.ts).
import { ApplicationFailure } from '@temporalio/common';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
import { providerFailureType } from '../../domain/failures.ts';
import { ProviderError } from '../../providers/types.ts';
import { storageFailure } from '../storing.ts';

export const fail = (message: string, type: string, details?: unknown) =>
  ApplicationFailure.nonRetryable(message, type, ...(details === undefined ? [] : [details]));

export function toFailure(err: unknown): unknown {
  if (isDatabaseUnavailable(err)) return storageFailure(err);
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
