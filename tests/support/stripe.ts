// Stripe's webhook deliveries for tests: events shaped as Stripe sends them (the fields
// the platform reads, in the API version of the pinned `stripe` package), signed with the
// package's own test-header helper and posted to the platform's webhook. stripe-mock
// sends no events itself (it is stateless), so the tests drive them.
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { PlanId } from '../../domain/billing.ts';
import { findPlan } from '../../domain/billing.ts';
import type { TestPlatform } from './platform.ts';

export const DAY_S = 24 * 60 * 60;
export const MONTH_S = 30 * DAY_S;

/** Event times in seconds that only go forward (Stripe's `created`), from a fixed start. */
let clock = Math.floor(Date.UTC(2026, 0, 1) / 1000);
const tick = () => (clock += 1);

export interface StripeEvent {
  id: string;
  object: 'event';
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  id = `evt_${randomUUID()}`,
): StripeEvent {
  return { id, object: 'event', type, created: tick(), data: { object } };
}

/** Posts an event as Stripe would, signed with the platform's webhook secret (or another). */
export async function deliver(
  platform: TestPlatform,
  event: StripeEvent,
  secret = platform.config.stripe.webhookSecret,
): Promise<Response> {
  const payload = JSON.stringify(event);
  const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload, secret });
  return platform.fetch('/api/webhooks/stripe', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
}

/** Delivers and answers with the receipt's outcome, failing on anything but 200. */
export async function delivered(platform: TestPlatform, event: StripeEvent): Promise<string | undefined> {
  const res = await deliver(platform, event);
  const body = (await res.json()) as { outcome?: string; duplicate?: true };
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${JSON.stringify(body)}`);
  return body.duplicate ? 'duplicate' : body.outcome;
}

/** One Stripe subscription's ids and periods, for the events about it. */
export class StripeSubscription {
  readonly stripeId = `sub_${randomUUID().replaceAll('-', '')}`;
  readonly customerId = `cus_${randomUUID().replaceAll('-', '')}`;
  readonly itemId = `si_${randomUUID().replaceAll('-', '')}`;
  readonly start = Math.floor(Date.now() / 1000);
  plan: PlanId;
  readonly subscriptionId: string;
  readonly checkoutSessionId: string;
  private readonly platform: TestPlatform;
  constructor(
    platform: TestPlatform,
    subscriptionId: string,
    checkoutSessionId: string,
    plan: PlanId = 'basic',
  ) {
    this.platform = platform;
    this.subscriptionId = subscriptionId;
    this.checkoutSessionId = checkoutSessionId;
    this.plan = plan;
  }

  price(plan: PlanId = this.plan): string {
    return this.platform.config.stripe.planPrices[plan]!;
  }

  period(n: number) {
    return { start: this.start + n * MONTH_S, end: this.start + (n + 1) * MONTH_S };
  }

  checkoutCompleted(): StripeEvent {
    return stripeEvent('checkout.session.completed', {
      id: this.checkoutSessionId,
      object: 'checkout.session',
      mode: 'subscription',
      client_reference_id: this.subscriptionId,
      metadata: { subscriptionId: this.subscriptionId, planId: this.plan },
      payment_status: 'paid',
      status: 'complete',
      subscription: this.stripeId,
      customer: this.customerId,
    });
  }

  /** `customer.subscription.created|updated|deleted` for period `n`. */
  subscription(
    type: 'created' | 'updated' | 'deleted',
    n: number,
    extra: { cancelAtPeriodEnd?: boolean; status?: string; plan?: PlanId } = {},
  ): StripeEvent {
    const p = this.period(n);
    return stripeEvent(`customer.subscription.${type}`, {
      id: this.stripeId,
      object: 'subscription',
      customer: this.customerId,
      status: extra.status ?? (type === 'deleted' ? 'canceled' : 'active'),
      cancel_at_period_end: extra.cancelAtPeriodEnd ?? false,
      cancel_at: extra.cancelAtPeriodEnd ? p.end : null,
      canceled_at: extra.cancelAtPeriodEnd ? p.start : null,
      ended_at: type === 'deleted' ? p.end : null,
      metadata: { subscriptionId: this.subscriptionId, planId: extra.plan ?? this.plan },
      items: {
        object: 'list',
        data: [
          {
            id: this.itemId,
            object: 'subscription_item',
            price: { id: this.price(extra.plan), object: 'price' },
            current_period_start: p.start,
            current_period_end: p.end,
          },
        ],
      },
    });
  }

  invoiceObject(
    invoiceId: string,
    n: number,
    lines?: { plan: PlanId; amount: number; proration: boolean }[],
  ) {
    const p = this.period(n);
    const items = lines ?? [{ plan: this.plan, amount: findPlan(this.plan)!.amount, proration: false }];
    const total = items.reduce((sum, l) => sum + l.amount, 0);
    return {
      id: invoiceId,
      object: 'invoice',
      number: `CW-${invoiceId.slice(-6).toUpperCase()}`,
      status: 'paid',
      amount_due: Math.max(0, total),
      amount_paid: Math.max(0, total),
      currency: 'usd',
      customer: this.customerId,
      hosted_invoice_url: `https://invoice.stripe.com/i/${invoiceId}`,
      billing_reason: lines ? 'subscription_update' : n === 0 ? 'subscription_create' : 'subscription_cycle',
      parent: {
        type: 'subscription_details',
        subscription_details: {
          subscription: this.stripeId,
          metadata: { subscriptionId: this.subscriptionId },
        },
      },
      lines: {
        object: 'list',
        data: items.map((line, i) => ({
          id: `il_${invoiceId}_${i}`,
          object: 'line_item',
          amount: line.amount,
          period: p,
          pricing: {
            type: 'price_details',
            price_details: { price: this.price(line.plan), product: 'prod_test' },
          },
          parent: {
            type: 'subscription_item_details',
            subscription_item_details: {
              proration: line.proration,
              subscription: this.stripeId,
              subscription_item: this.itemId,
            },
          },
        })),
      },
    };
  }

  /** `invoice.paid|payment_failed|voided` for the invoice of period `n`. */
  invoice(
    type: 'paid' | 'payment_failed' | 'voided',
    invoiceId: string,
    n: number,
    lines?: { plan: PlanId; amount: number; proration: boolean }[],
  ): StripeEvent {
    const object = this.invoiceObject(invoiceId, n, lines);
    if (type !== 'paid')
      Object.assign(object, { status: type === 'voided' ? 'void' : 'open', amount_paid: 0 });
    return stripeEvent(`invoice.${type}`, object);
  }

  /** `invoice_payment.paid`: which PaymentIntent paid the invoice. */
  invoicePayment(invoiceId: string, paymentIntentId: string): StripeEvent {
    return stripeEvent('invoice_payment.paid', {
      id: `inpay_${randomUUID().replaceAll('-', '')}`,
      object: 'invoice_payment',
      invoice: invoiceId,
      status: 'paid',
      payment: { type: 'payment_intent', payment_intent: paymentIntentId },
    });
  }
}

export function chargeRefunded(paymentIntentId: string, amount: number, amountRefunded: number): StripeEvent {
  return stripeEvent('charge.refunded', {
    id: `ch_${randomUUID().replaceAll('-', '')}`,
    object: 'charge',
    payment_intent: paymentIntentId,
    amount,
    amount_refunded: amountRefunded,
    refunded: amountRefunded >= amount,
    refunds: {
      object: 'list',
      data: [{ id: `re_${randomUUID().slice(0, 8)}`, object: 'refund', reason: 'requested_by_customer' }],
    },
  });
}

export function dispute(
  type: 'created' | 'closed',
  disputeId: string,
  paymentIntentId: string,
  amount: number,
  status = type === 'created' ? 'needs_response' : 'won',
): StripeEvent {
  return stripeEvent(`charge.dispute.${type}`, {
    id: disputeId,
    object: 'dispute',
    payment_intent: paymentIntentId,
    charge: `ch_${disputeId}`,
    amount,
    currency: 'usd',
    reason: 'fraudulent',
    status,
  });
}

/** Posts any event body as Stripe would, signed with the platform's webhook secret (or another). */
export const deliverStripeEvent = (
  platform: TestPlatform,
  event: StripeEvent | Record<string, unknown>,
  secret = platform.config.stripe.webhookSecret,
): Promise<Response> => deliver(platform, event as StripeEvent, secret);

/** Stripe's `checkout.session.completed` event for a credit pack's session. */
export const checkoutCompleted = (eventId: string, sessionId: string, paid = true): StripeEvent =>
  stripeEvent(
    'checkout.session.completed',
    { id: sessionId, object: 'checkout.session', payment_status: paid ? 'paid' : 'unpaid' },
    eventId,
  );
