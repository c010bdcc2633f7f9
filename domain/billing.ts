// Billing's vocabulary and numbers: the credit ledger's kinds and how each moves the
// balance, the starting grant, what credits cost (packs and monthly plans), how many
// credits a paid invoice is worth and how many a refund or dispute takes back. Payment
// goes through Stripe Checkout: the card is entered on Stripe's page and never reaches
// this platform (R-NOCARD). Pure: the site and the workflows import it too.
import { DAY, MINUTE } from './time.ts';

// ---------------------------------------------------------------- the credit ledger

export const LEDGER_KINDS = [
  'grant',
  'purchase',
  'reserve',
  'capture',
  'release',
  'refund',
  'expire',
  /** A subscription's paid invoice: its period's credits (or a plan change's prorated difference). */
  'subscription',
  /** Credits taken back because the payment that bought them was refunded. */
  'refunded',
  /** Credits taken back while the payment that bought them is disputed. */
  'disputed',
  /** A dispute closed in our favour: what its `disputed` entry took comes back. */
  'dispute_won',
  /** Credits owed (a reversal found them spent) taken from credits added later. */
  'owed_settled',
  /** The sum of entries removed after 7 years (R-PAY-7Y), so the ledger still adds up. */
  'carried_forward',
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
  subscription: 1,
  refunded: -1,
  disputed: -1,
  dispute_won: 1,
  owed_settled: -1,
  // Written by the payment-record sweep alone, with the removed entries' sum as its amount.
  carried_forward: 0,
};

/** Kinds that add credits a person paid for: credits owed are settled from them first. */
export const PAID_CREDIT_KINDS: readonly LedgerKind[] = ['purchase', 'subscription'];

/** Credits every new account starts with, so the local renderer can be tried at once. */
export const STARTING_GRANT_CREDITS = 50;

/** How long a price quote can be used to create a job. */
export const QUOTE_TTL_MS = 10 * MINUTE;

/** Ledger entries per page of `GET /api/credits`, and the most one page may ask for. */
export const LEDGER_PAGE_SIZE = 50;
export const LEDGER_PAGE_SIZE_MAX = 100;

/**
 * Credit packs a page of the purchase history lists, newest first, and the most one page
 * may ask; older ones are on the pages after it, in the account's export (D-PORT) and
 * behind each ledger entry.
 */
export const PURCHASE_PAGE_SIZE = 20;
export const PURCHASE_LIST_MAX_LIMIT = 100;

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

// ---------------------------------------------------------------- subscriptions

export const PLAN_IDS = ['basic', 'pro'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export interface SubscriptionPlan {
  id: PlanId;
  label: string;
  /** Credits granted for each paid month. */
  credits: number;
  /** Monthly price in the currency's smallest unit (cents). */
  amount: number;
  currency: Currency;
}

/** Monthly plans, billed by Stripe Billing; each plan's Stripe price id is configuration. */
export const SUBSCRIPTION_PLANS: readonly SubscriptionPlan[] = Object.freeze([
  { id: 'basic', label: 'Basic', credits: 400, amount: 1500, currency: 'usd' },
  { id: 'pro', label: 'Pro', credits: 2000, amount: 6000, currency: 'usd' },
]);

export const findPlan = (id: string | null | undefined): SubscriptionPlan | undefined =>
  SUBSCRIPTION_PLANS.find((p) => p.id === id);

/** One line of a paid invoice as the credits rule needs it (Stripe's price already mapped to a plan). */
export interface InvoiceLine {
  planId: PlanId | null;
  /** Signed amount in cents before discounts and tax (an unused-time proration is negative). */
  amount: number;
  proration: boolean;
}

/**
 * Credits a paid invoice is worth: each plan line's amount at its plan's rate (credits per
 * cent), summed, never below zero. A month's invoice gives the plan's credits; an upgrade's
 * proration invoice (the new plan's remaining time less the old plan's unused time) gives
 * the prorated difference; a downgrade's gives nothing (Stripe credits the money to the
 * next invoice, which grants the lower plan's credits).
 */
export function invoiceCredits(lines: readonly InvoiceLine[]): number {
  let total = 0;
  for (const line of lines) {
    const plan = findPlan(line.planId);
    if (plan) total += (line.amount * plan.credits) / plan.amount;
  }
  return Math.max(0, Math.round(total));
}

/**
 * Credits a refund or a dispute of `amount` cents takes back from a payment of
 * `paidAmount` cents that bought `credits`: the same share, never more than it bought.
 */
export function creditsForAmount(credits: number, paidAmount: number, amount: number): number {
  if (paidAmount <= 0 || amount <= 0) return 0;
  return Math.min(credits, Math.round((credits * amount) / paidAmount));
}

/** Dispute outcomes that give the credits back (the charge stands). */
export const DISPUTE_WON_STATUSES: readonly string[] = ['won', 'warning_closed'];

// ---------------------------------------------------------------- payment records (R-PAY-7Y)

/** How often payment and ledger records past their 7 years are removed. */
export const PAYMENT_RECORD_SWEEP_INTERVAL_MS = DAY;
/** Rows handled per transaction by the payment-record sweep. */
export const PAYMENT_RECORD_SWEEP_BATCH_SIZE = 500;
/** Stable ids, so an operator finds each schedule in the Web UI. */
export const BILLING_SCHEDULE_IDS = { paymentRecordSweep: 'billing-sweep-payment-records' } as const;
/** What the de-identified totals count, per month and currency. */
export const BILLING_TOTAL_RECORDS = ['payment', 'invoice', 'ledger'] as const;
export type BillingTotalRecord = (typeof BILLING_TOTAL_RECORDS)[number];
