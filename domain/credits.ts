// The credit ledger's vocabulary and the numbers that govern credits.
import { MINUTE } from './time.ts';

export const LEDGER_KINDS = [
  'grant',
  'purchase',
  'reserve',
  'capture',
  'release',
  'refund',
  'expire',
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * How each kind moves the spendable balance. A job's reserve takes its price out; its
 * capture charges what was reserved (no further change); its release gives back what
 * was not charged. For every job: reserved = captured + released.
 */
export const BALANCE_EFFECT: Readonly<Record<LedgerKind, -1 | 0 | 1>> = {
  grant: 1,
  purchase: 1,
  reserve: -1,
  capture: 0,
  release: 1,
  refund: 1,
  expire: -1,
};

/** Credits every new account starts with, so the local renderer can be tried at once. */
export const STARTING_GRANT_CREDITS = 50;

/** How long a price quote can be used to create a job. */
export const QUOTE_TTL_MS = 10 * MINUTE;
