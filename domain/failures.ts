// The failure types activities throw and workflows decide on, declared once: an activity
// raises `ApplicationFailure` with one of these types, a workflow lists the ones no retry
// can fix as non-retryable and maps the rest to what the person reads. Pure: safe in
// workflow code.
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { FailureCode } from './generation.ts';

export const FAILURE_TYPES = {
  // generation
  jobNotFound: 'JobNotFound',
  insufficientCredits: 'InsufficientCredits',
  providerUnavailable: 'ProviderUnavailable',
  providerNotConfigured: 'ProviderNotConfigured',
  submissionOutcomeUnknown: 'SubmissionOutcomeUnknown',
  inputMissing: 'InputMissing',
  noProviderTask: 'NoProviderTask',
  outputDownloadFailed: 'OutputDownloadFailed',
  /** The built-in renderer failed every attempt it gets. */
  renderFailed: 'RenderFailed',
  /** Our own object store failed a read or a write: not the provider's fault. */
  storageUnavailable: 'StorageUnavailable',
  // rights requests
  requestNotFound: 'RequestNotFound',
  wrongRequestType: 'WrongRequestType',
  exportGone: 'ExportGone',
  // housekeeping
  invalidSweepScope: 'InvalidSweepScope',
  diagnosticFailed: 'DiagnosticFailed',
} as const;
export type FailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];

/** A provider's own error, as its adapter classified it (providers/types.ts ProviderErrorCode). */
export const providerFailureType = (code: string) => `Provider_${code}`;

/** What no retry of a generation step can change: the job ends at once. */
export const GENERATION_FAILURES: readonly string[] = [
  FAILURE_TYPES.jobNotFound,
  FAILURE_TYPES.insufficientCredits,
  FAILURE_TYPES.providerUnavailable,
  FAILURE_TYPES.providerNotConfigured,
  FAILURE_TYPES.submissionOutcomeUnknown,
  FAILURE_TYPES.inputMissing,
  FAILURE_TYPES.noProviderTask,
  ...[
    'moderation_input',
    'moderation_output',
    'invalid_request',
    'unauthorized',
    'provider_account',
    'not_found',
  ].map(providerFailureType),
];

/** The type of an activity's (or the workflow's own) application failure. */
export function failureType(err: unknown): string | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure)
    return err.cause.type ?? undefined;
  if (err instanceof ApplicationFailure) return err.type ?? undefined;
  return undefined;
}

const PROVIDER_DOWN = [
  FAILURE_TYPES.providerUnavailable,
  providerFailureType('unavailable'),
  providerFailureType('rate_limited'),
];

/** The provider is down or refusing work: a fallback may help. */
export const isProviderDown = (err: unknown): boolean => PROVIDER_DOWN.includes(failureType(err) ?? '');

/** How a failure that escaped every step ends the job. */
export function failureOf(err: unknown): { status: 'failed' | 'rejected'; code: FailureCode } {
  const type = failureType(err);
  if (type === providerFailureType('moderation_input'))
    return { status: 'rejected', code: 'moderation_refused' };
  if (type === providerFailureType('moderation_output'))
    return { status: 'rejected', code: 'moderation_output' };
  if (type && PROVIDER_DOWN.includes(type)) return { status: 'failed', code: 'provider_unavailable' };
  if (type === FAILURE_TYPES.submissionOutcomeUnknown || type === providerFailureType('timeout')) {
    return { status: 'failed', code: 'submission_outcome_unknown' };
  }
  if (type === FAILURE_TYPES.outputDownloadFailed) return { status: 'failed', code: 'output_unavailable' };
  if (type === FAILURE_TYPES.storageUnavailable) return { status: 'failed', code: 'storage_unavailable' };
  return { status: 'failed', code: 'provider_failed' };
}
