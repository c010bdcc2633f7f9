// Billing's vocabulary and numbers: the credit ledger's kinds and how each moves the
// balance, the starting grant, and what credits cost. Payment goes through Stripe
// Checkout: the card is entered on Stripe's page and never reaches this platform
// (R-NOCARD). Pure: the site and the workflows import it too.
import { MINUTE } from './time.ts';

// ---------------------------------------------------------------- the credit ledger

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

/** Ledger entries per page of `GET /api/credits`, and the most one page may ask for. */
export const LEDGER_PAGE_SIZE = 50;
export const LEDGER_PAGE_SIZE_MAX = 100;

// ---------------------------------------------------------------- buying credits

export const CURRENCIES = ['usd'] as const;
export type Currency = (typeof CURRENCIES)[number];

export interface CreditPack {
  id: string;
  credits: number;
  /** Price in the currency's smallest unit (cents). */
  amount: number;
  currency: Currency;
  label: string;
}

export const CREDIT_PACKS: readonly CreditPack[] = Object.freeze([
  { id: 'starter', credits: 100, amount: 500, currency: 'usd', label: '100 credits' },
  { id: 'creator', credits: 500, amount: 2000, currency: 'usd', label: '500 credits' },
  { id: 'studio', credits: 2000, amount: 7000, currency: 'usd', label: '2,000 credits' },
]);

export const findPack = (id: string): CreditPack | undefined => CREDIT_PACKS.find((p) => p.id === id);

export const PAYMENT_STATUSES = ['pending', 'paid', 'expired'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
