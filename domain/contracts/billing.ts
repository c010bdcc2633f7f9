// What the API takes and gives for billing: a creator's credits and their ledger, the
// credit packs, a Stripe Checkout started (R-NOCARD: the card is typed on Stripe's page),
// a payment as its owner sees it, and what the Stripe webhook answers. One schema for
// the API's validation and OpenAPI document, and the site's types (`z.infer`).
import { z } from 'zod';
import {
  CURRENCIES,
  LEDGER_KINDS,
  LEDGER_PAGE_SIZE,
  LEDGER_PAGE_SIZE_MAX,
  PAYMENT_STATUSES,
  PURCHASE_LIST_MAX_LIMIT,
  PURCHASE_PAGE_SIZE,
} from '../billing.ts';
import { nextCursor, pageQuery, stripePageCursor } from './page.ts';

export const creditsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(LEDGER_PAGE_SIZE_MAX).default(LEDGER_PAGE_SIZE),
  before: z.coerce.number().int().positive().optional(),
});
export type CreditsQuery = z.infer<typeof creditsQuery>;

export const ledgerEntry = z.object({
  id: z.number(),
  kind: z.enum(LEDGER_KINDS),
  /** The change to the balance (negative when credits were taken). */
  amount: z.number(),
  credits: z.number(),
  jobId: z.string().nullable(),
  note: z.string().nullable(),
  createdAt: z.string(),
});
export type LedgerEntry = z.infer<typeof ledgerEntry>;

/** `GET /api/credits`: the balance and one page of the ledger, newest first. */
export const credits = z.object({
  balance: z.number(),
  entries: z.array(ledgerEntry),
  nextBefore: z.number().nullable(),
});
export type Credits = z.infer<typeof credits>;

export const creditPack = z.object({
  id: z.string(),
  credits: z.number(),
  /** Price in the currency's smallest unit (cents). */
  amount: z.number(),
  currency: z.enum(CURRENCIES),
  label: z.string(),
});
export type CreditPack = z.infer<typeof creditPack>;
export const creditPackList = z.object({ packs: z.array(creditPack) });
export type CreditPackList = z.infer<typeof creditPackList>;

export const checkoutBody = z.object({ packId: z.string().max(32) });
export type CheckoutBody = z.infer<typeof checkoutBody>;

/** Stripe Checkout's page to pay on, and the id its return link carries. */
export const checkout = z.object({ sessionId: z.string(), url: z.string().nullable() });
export type Checkout = z.infer<typeof checkout>;

export const paymentParams = z.object({ id: z.string().max(255) });

export const paymentView = z.object({
  id: z.string(),
  pack: z.string(),
  credits: z.number(),
  amount: z.number(),
  currency: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
});
export type PaymentView = z.infer<typeof paymentView>;

/** `GET /api/billing/payments`: a page of my credit pack purchases, newest first (my purchase history). */
export const paymentListQuery = z.object(
  pageQuery(PURCHASE_PAGE_SIZE, PURCHASE_LIST_MAX_LIMIT, stripePageCursor),
);
export type PaymentListQuery = z.infer<typeof paymentListQuery>;
export const paymentList = z.object({ payments: z.array(paymentView), nextCursor });
export type PaymentList = z.infer<typeof paymentList>;

/**
 * What a Stripe event did: a pack credited, a subscription's workflow told (or, while
 * Temporal does not answer, its event kept for the unstarted sweep), a payment's
 * credits taken back or given back, a payment linked to its invoice, or nothing (a repeat,
 * an unpaid session, something not ours, a subscription that has ended).
 */
export const STRIPE_OUTCOMES = [
  'credited',
  'unpaid',
  'unknown',
  'forwarded',
  'kept',
  'ended',
  'expired',
  'linked',
  'reversed',
  'reinstated',
  'ignored',
] as const;
export type StripeOutcome = (typeof STRIPE_OUTCOMES)[number];
export const stripeReceipt = z.object({
  received: z.literal(true),
  duplicate: z.literal(true).optional(),
  outcome: z.enum(STRIPE_OUTCOMES).optional(),
});
export type StripeReceipt = z.infer<typeof stripeReceipt>;
