// Stripe's subscription events as the subscription workflow receives them (already
// reduced by use-cases/subscription-events.ts), for the workflow's own tests. A month is
// 30 days here; times are ms.
import { randomUUID } from 'node:crypto';
import { findPlan, type PlanId } from '../../domain/billing.ts';
import type { InvoiceFacts, SubscriptionEvent, SubscriptionSnapshot } from '../../domain/subscription.ts';
import { DAY } from '../../domain/time.ts';

export const MONTH = 30 * DAY;
export const START = Date.UTC(2026, 0, 1);

let clock = START;
/** Event times that only go forward, so snapshots apply in the order they are made. */
const tick = () => (clock += 1000);

export interface Period {
  n: number;
  start: number;
  end: number;
}
export const period = (n: number): Period => ({ n, start: START + n * MONTH, end: START + (n + 1) * MONTH });

export function snapshot(overrides: Partial<SubscriptionSnapshot> = {}, p = period(0)): SubscriptionSnapshot {
  return {
    stripeSubscriptionId: 'sub_test',
    customerId: 'cus_test',
    stripeStatus: 'active',
    planId: 'basic',
    itemId: 'si_test',
    periodStart: p.start,
    periodEnd: p.end,
    cancelAtPeriodEnd: false,
    cancelAt: null,
    endedAt: null,
    ...overrides,
  };
}

export function invoice(
  id: string,
  p: Period,
  planId: PlanId = 'basic',
  extra: Partial<InvoiceFacts> = {},
): InvoiceFacts {
  const plan = findPlan(planId)!;
  return {
    id,
    number: `INV-${id}`,
    amountDue: plan.amount,
    amountPaid: plan.amount,
    currency: 'usd',
    hostedUrl: `https://invoice.stripe.test/${id}`,
    periodStart: p.start,
    periodEnd: p.end,
    billingReason: p.n === 0 ? 'subscription_create' : 'subscription_cycle',
    lines: [{ planId, amount: plan.amount, proration: false }],
    ...extra,
  };
}

const base = (at = tick()) => ({ eventId: `evt_${randomUUID()}`, at });

export const events = {
  checkoutCompleted: (): SubscriptionEvent => ({
    ...base(),
    kind: 'checkout_completed',
    stripeSubscriptionId: 'sub_test',
    customerId: 'cus_test',
  }),
  changed: (s: SubscriptionSnapshot, at?: number): SubscriptionEvent => ({
    ...base(at),
    kind: 'subscription_changed',
    snapshot: s,
  }),
  ended: (s: SubscriptionSnapshot): SubscriptionEvent => ({
    ...base(),
    kind: 'subscription_ended',
    snapshot: s,
  }),
  paid: (i: InvoiceFacts): SubscriptionEvent => ({ ...base(), kind: 'invoice_paid', invoice: i }),
  failed: (i: InvoiceFacts): SubscriptionEvent => ({ ...base(), kind: 'invoice_failed', invoice: i }),
  voided: (i: InvoiceFacts): SubscriptionEvent => ({ ...base(), kind: 'invoice_void', invoice: i }),
};
