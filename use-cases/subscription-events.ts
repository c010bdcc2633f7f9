// Stripe's subscription events, checked and deduplicated by the webhook
// (use-cases/billing.ts), reduced here to what the subscription's workflow needs and sent
// to it as a signal (clients/subscription.ts, starting it on the first one). Stripe's
// prices are mapped to plans by the configured price ids (STRIPE_PLAN_PRICES). Two
// events are handled here without the workflow: an abandoned Checkout page marks the
// subscription expired (it never started), and `invoice_payment.paid` links an invoice to
// the PaymentIntent that paid it, which a refund or dispute later names. While Temporal
// does not answer, an event is kept for the unstarted sweep
// (activities/sweeps/untold-subscription-events.ts) and Stripe answered as usual.
import type { EntityManager } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import { sendSubscriptionEvent } from '../clients/subscription.ts';
import type { Config } from '../config/index.ts';
import { Subscription } from '../db/entities/index.ts';
import type { InvoiceLine, PlanId } from '../domain/billing.ts';
import type { StripeOutcome } from '../domain/contracts/billing.ts';
import type { InvoiceFacts, SubscriptionEvent, SubscriptionSnapshot } from '../domain/subscription.ts';
import { SIGNAL_DEADLINE_MS } from '../domain/temporal.ts';
import { cancelStartedAfterDeletion, endedByAccountDeletion } from '../stores/subscription.ts';
import { recordUntoldSubscriptionEvent } from '../stores/untold-signals.ts';
import type { UseCaseDeps } from './deps.ts';
import { callOrRecord } from './unanswered.ts';

/** The events the platform subscribes to for subscriptions (besides Checkout's). */
export const SUBSCRIPTION_EVENT_TYPES: ReadonlySet<string> = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice_payment.paid',
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ms = (seconds: number | null | undefined) => (typeof seconds === 'number' ? seconds * 1000 : null);
const idOf = (value: string | { id: string } | null | undefined) =>
  typeof value === 'string' ? value : (value?.id ?? null);

function planOfPrice(config: Config, price: string | { id: string } | null | undefined): PlanId | null {
  const id = idOf(price);
  const found = Object.entries(config.stripe.planPrices).find(([, priceId]) => priceId === id);
  return (found?.[0] as PlanId | undefined) ?? null;
}

function snapshotOf(config: Config, sub: Stripe.Subscription): SubscriptionSnapshot {
  const item = sub.items?.data?.[0];
  return {
    stripeSubscriptionId: sub.id,
    customerId: idOf(sub.customer),
    stripeStatus: sub.status,
    planId: planOfPrice(config, item?.price),
    itemId: item?.id ?? null,
    periodStart: ms(item?.current_period_start),
    periodEnd: ms(item?.current_period_end),
    cancelAtPeriodEnd: Boolean(sub.cancel_at_period_end),
    cancelAt: ms(sub.cancel_at),
    endedAt: ms(sub.ended_at),
  };
}

function invoiceFactsOf(config: Config, invoice: Stripe.Invoice): InvoiceFacts {
  const lines = invoice.lines?.data ?? [];
  const starts = lines.map((l) => l.period?.start).filter((t): t is number => typeof t === 'number');
  const ends = lines.map((l) => l.period?.end).filter((t): t is number => typeof t === 'number');
  return {
    id: invoice.id,
    number: invoice.number ?? null,
    amountDue: invoice.amount_due ?? 0,
    amountPaid: invoice.amount_paid ?? 0,
    currency: invoice.currency ?? 'usd',
    hostedUrl: invoice.hosted_invoice_url ?? null,
    periodStart: starts.length ? Math.min(...starts) * 1000 : null,
    periodEnd: ends.length ? Math.max(...ends) * 1000 : null,
    billingReason: invoice.billing_reason ?? null,
    lines: lines.map((line): InvoiceLine => ({
      planId: planOfPrice(config, line.pricing?.price_details?.price),
      amount: line.amount,
      proration: Boolean(line.parent?.subscription_item_details?.proration),
    })),
  };
}

/** Which of our subscriptions an event is about: our id in Stripe's metadata, or Stripe's ids. */
interface Reference {
  id?: string | null;
  stripeSubscriptionId?: string | null;
  checkoutSessionId?: string | null;
}

/** The event as the workflow takes it, and the subscription it is about. */
function reduce(config: Config, event: Stripe.Event): { ref: Reference; event: SubscriptionEvent } | null {
  const base = { eventId: event.id, at: event.created * 1000 };
  const object = event.data.object;
  if (object.object === 'checkout.session') {
    const session = object as Stripe.Checkout.Session;
    return {
      ref: {
        id: session.client_reference_id ?? session.metadata?.subscriptionId,
        checkoutSessionId: session.id,
      },
      event: {
        ...base,
        kind: 'checkout_completed',
        stripeSubscriptionId: idOf(session.subscription),
        customerId: idOf(session.customer),
      },
    };
  }
  if (object.object === 'subscription') {
    const sub = object as Stripe.Subscription;
    const kind =
      event.type === 'customer.subscription.deleted' ? 'subscription_ended' : 'subscription_changed';
    return {
      ref: { id: sub.metadata?.subscriptionId, stripeSubscriptionId: sub.id },
      event: { ...base, kind, snapshot: snapshotOf(config, sub) },
    };
  }
  if (object.object === 'invoice') {
    const invoice = object as Stripe.Invoice;
    const details = invoice.parent?.subscription_details;
    const kinds: Record<string, SubscriptionEvent['kind']> = {
      'invoice.paid': 'invoice_paid',
      'invoice.payment_failed': 'invoice_failed',
      'invoice.voided': 'invoice_void',
      'invoice.marked_uncollectible': 'invoice_uncollectible',
    };
    const kind = kinds[event.type];
    if (!kind || !details) return null;
    return {
      ref: { id: details.metadata?.subscriptionId, stripeSubscriptionId: idOf(details.subscription) },
      event: { ...base, kind, invoice: invoiceFactsOf(config, invoice) } as SubscriptionEvent,
    };
  }
  return null;
}

async function findSubscription(deps: UseCaseDeps, ref: Reference): Promise<Subscription | null> {
  const em = deps.orm.em.fork();
  const or = [
    ...(ref.id && UUID.test(ref.id) ? [{ id: ref.id }] : []),
    ...(ref.stripeSubscriptionId ? [{ stripeSubscriptionId: ref.stripeSubscriptionId }] : []),
    ...(ref.checkoutSessionId ? [{ checkoutSessionId: ref.checkoutSessionId }] : []),
  ];
  return or.length ? em.findOne(Subscription, { $or: or }) : null;
}

/** Links an invoice to the PaymentIntent that paid it (the invoice's own row may come later). */
async function linkInvoicePayment(deps: UseCaseDeps, payment: Stripe.InvoicePayment): Promise<StripeOutcome> {
  const invoiceId = idOf(payment.invoice as string | { id: string });
  const paymentIntentId = idOf(payment.payment?.payment_intent);
  if (!invoiceId || !paymentIntentId) return 'ignored';
  await deps.orm.em.fork().execute(
    `insert into invoices (id, payment_intent_id, created_at, updated_at) values (?, ?, now(), now())
     on conflict (id) do update set payment_intent_id = excluded.payment_intent_id, updated_at = now()`,
    [invoiceId, paymentIntentId],
  );
  return 'linked';
}

/**
 * Sends one of Stripe's subscription events to its subscription's workflow, within
 * SIGNAL_DEADLINE_MS; while Temporal does not answer, keeps it in `tx`, the transaction
 * that records the event's receipt.
 */
export async function receiveSubscriptionEvent(
  deps: UseCaseDeps,
  tx: EntityManager,
  event: Stripe.Event,
): Promise<StripeOutcome> {
  if (event.type === 'invoice_payment.paid') return linkInvoicePayment(deps, event.data.object);
  const reduced = reduce(deps.config, event);
  if (!reduced) return 'ignored';
  const sub = await findSubscription(deps, reduced.ref);
  if (!sub) return 'unknown';
  if (event.type === 'checkout.session.expired') {
    await deps.orm.em
      .fork()
      .nativeUpdate(Subscription, { id: sub.id, status: 'pending' }, { status: 'expired' });
    return 'expired';
  }
  if (event.type !== 'checkout.session.completed' && event.type.startsWith('checkout.session'))
    return 'ignored';
  if (!sub.user || endedByAccountDeletion(sub)) {
    await cancelStartedAfterDeletion(deps.orm.em.fork(), deps.stripe, sub, reduced.event);
    return 'ended';
  }
  const input = { subscriptionId: sub.id, userId: sub.user, planId: sub.planId };
  // Kept with the event's receipt, in the webhook's transaction: Stripe is answered, and
  // the unstarted sweep gives the event to the workflow once Temporal answers.
  const sent = await callOrRecord(
    deps,
    {
      deadlineMs: SIGNAL_DEADLINE_MS,
      call: () => sendSubscriptionEvent(deps.temporal.client, input, reduced.event),
      record: (em, namespace) => recordUntoldSubscriptionEvent(em, namespace, sub.id, reduced.event),
      warning: {
        message: 'Stripe event kept: the unstarted sweep delivers it',
        context: { eventId: event.id },
      },
    },
    tx,
  );
  if (!sent) return 'kept';
  return sent.answer === 'delivered' ? 'forwarded' : 'ended';
}
