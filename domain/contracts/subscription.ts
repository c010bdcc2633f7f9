// What the API takes and gives for subscriptions (D-SUBSCRIPTION): the plans, starting
// one with Stripe Checkout (R-NOCARD: the card is typed on Stripe's page), a person's
// subscription with its invoices (Stripe's hosted invoice pages), a plan change, the
// cancellation at period end, and Stripe's customer portal. One schema for the API's
// validation and OpenAPI document, and the site's types (`z.infer`).
import { z } from 'zod';
import { CURRENCIES, PLAN_IDS } from '../billing.ts';
import {
  GRANT_STATUSES,
  INVOICE_STATUSES,
  SUBSCRIPTION_END_REASONS,
  SUBSCRIPTION_STATUSES,
  INVOICE_LIST_MAX_LIMIT,
  INVOICE_PAGE_SIZE,
} from '../subscription.ts';
import { nextCursor, pageQuery, stripePageCursor } from './page.ts';

export const subscriptionPlan = z.object({
  id: z.enum(PLAN_IDS),
  label: z.string(),
  /** Credits granted for each paid month. */
  credits: z.number(),
  /** Monthly price in the currency's smallest unit (cents). */
  amount: z.number(),
  currency: z.enum(CURRENCIES),
});
export type SubscriptionPlanView = z.infer<typeof subscriptionPlan>;
export const planList = z.object({ plans: z.array(subscriptionPlan) });
export type PlanList = z.infer<typeof planList>;

export const planBody = z.object({ planId: z.enum(PLAN_IDS) });
export type PlanBody = z.infer<typeof planBody>;

export const subscriptionView = z.object({
  id: z.uuid(),
  plan: subscriptionPlan,
  status: z.enum(SUBSCRIPTION_STATUSES),
  currentPeriodStart: z.string().nullable(),
  currentPeriodEnd: z.string().nullable(),
  /** Stripe confirmed the cancellation at period end. */
  cancelAtPeriodEnd: z.boolean(),
  /** When it ends (or ended), where known. */
  endsAt: z.string().nullable(),
  /** The person asked to cancel (confirmed by Stripe a moment later). */
  cancelRequestedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endReason: z.enum(SUBSCRIPTION_END_REASONS).nullable(),
  creditsGranted: z.number(),
  createdAt: z.string(),
});
export type SubscriptionView = z.infer<typeof subscriptionView>;

export const invoiceView = z.object({
  id: z.string(),
  number: z.string().nullable(),
  status: z.enum(INVOICE_STATUSES).nullable(),
  amountDue: z.number(),
  amountPaid: z.number(),
  currency: z.string(),
  /** Stripe's page for the invoice (view, download, pay an unpaid one). */
  hostedInvoiceUrl: z.string().nullable(),
  periodStart: z.string().nullable(),
  periodEnd: z.string().nullable(),
  credits: z.number(),
  grant: z.enum(GRANT_STATUSES),
  grantNote: z.string().nullable(),
  paidAt: z.string().nullable(),
  createdAt: z.string(),
});
export type InvoiceView = z.infer<typeof invoiceView>;

/**
 * `GET /api/billing/subscription`: my current (or last) subscription, the first page of my
 * invoices, the plans.
 */
export const subscriptionOverview = z.object({
  subscription: subscriptionView.nullable(),
  invoices: z.array(invoiceView),
  /** The next page of invoices, from `GET /api/billing/invoices`; null when these are all. */
  invoicesNextCursor: nextCursor,
  plans: z.array(subscriptionPlan),
});
export type SubscriptionOverview = z.infer<typeof subscriptionOverview>;

/** `GET /api/billing/invoices`: a page of my invoices, newest first (R-PAY-7Y keeps them 7 years). */
export const invoiceListQuery = z.object(
  pageQuery(INVOICE_PAGE_SIZE, INVOICE_LIST_MAX_LIMIT, stripePageCursor),
);
export type InvoiceListQuery = z.infer<typeof invoiceListQuery>;
export const invoiceList = z.object({ invoices: z.array(invoiceView), nextCursor });
export type InvoiceList = z.infer<typeof invoiceList>;

/** Stripe's customer portal (payment methods, invoices, cancellation), for this visit. */
export const billingPortal = z.object({ url: z.string() });
export type BillingPortal = z.infer<typeof billingPortal>;
