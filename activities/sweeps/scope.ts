// What a storage sweep may look at: asset objects under a prefix (every asset by default,
// one person's in tests), judged only once older than a grace period.
import { ApplicationFailure } from '@temporalio/common';
import { ASSET_KEY_PREFIX } from '../../domain/retention.ts';

export interface SweepScope {
  /** Unique per sweep run (the workflow's run id): the proofs' idempotency key. */
  sweepId: string;
  /** Only keys under this prefix; must lie under `users/`. */
  prefix: string;
  /** Objects and rows younger (or less overdue) than this are left alone. */
  graceMs: number;
}

export function checkScope(scope: SweepScope): void {
  if (!scope.prefix.startsWith(ASSET_KEY_PREFIX)) {
    throw ApplicationFailure.nonRetryable(
      `sweep prefix must lie under ${ASSET_KEY_PREFIX}`,
      'InvalidSweepScope',
    );
  }
}

/** A LIKE pattern for keys starting with `prefix`, its wildcards escaped. */
export const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
