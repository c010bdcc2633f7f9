// Provider errors as Temporal failures: retryable ones keep the provider's Retry-After,
// the others end the job (their types are listed in domain/failures.ts).
import { ApplicationFailure } from '@temporalio/common';
import { providerFailureType } from '../../domain/failures.ts';
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
