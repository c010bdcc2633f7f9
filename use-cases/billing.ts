// Billing: a creator's credits and the ledger behind them, buying credit packs with
// Stripe Checkout, and Stripe's webhook. The card is typed on Stripe's own page, so no
// card number ever reaches this platform (R-NOCARD). A signed webhook confirms each
// payment; each Stripe event is handled once (deduplicated by its id, recorded with its
// effect, so one whose handling failed is handled again when Stripe retries it) and each
// payment adds its credits once (the ledger entry is keyed by the Checkout Session).
// Subscription events go to the subscription's workflow (use-cases/subscription-events.ts),
// refunds and disputes to use-cases/billing-reversals.ts. Payments are kept 7 years,
// detached from a deleted person (R-PAY-7Y).
import type Stripe from 'stripe';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Payment } from '../db/entities/index.ts';
import { CREDIT_PACKS, findPack } from '../domain/billing.ts';
import type {
  Checkout,
  CheckoutBody,
  CreditPackList,
  Credits,
  CreditsQuery,
  PaymentList,
  PaymentListQuery,
  PaymentView,
  StripeOutcome,
  StripeReceipt,
} from '../domain/contracts/billing.ts';
import { AppError, badRequest, notFound } from '../domain/errors.ts';
import { recordAudit } from '../platform/audit.ts';
import { addPaidCredits, creditBalance, ledgerPage } from '../stores/billing.ts';
import { newestPage } from '../stores/time-pages.ts';
import { reverseForCharge, reverseForDispute } from './billing-reversals.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { SUBSCRIPTION_EVENT_TYPES, receiveSubscriptionEvent } from './subscription-events.ts';

export async function myCredits(deps: UseCaseDeps, actor: Actor, query: CreditsQuery): Promise<Credits> {
  const em = deps.orm.em.fork();
  const { entries, more } = await ledgerPage(em, actor.id, query);
  return {
    balance: await creditBalance(em, actor.id),
    entries: entries.map((e) => ({
      id: e.id,
      kind: e.kind,
      amount: e.amount,
      credits: e.credits,
      jobId: e.jobId ?? null,
      note: e.note ?? null,
      createdAt: e.createdAt.toISOString(),
    })),
    nextBefore: more ? (entries.at(-1)?.id ?? null) : null,
  };
}

export function creditPacks(): CreditPackList {
  return { packs: [...CREDIT_PACKS] };
}

/** A Checkout Session for one pack, and the pending payment that its webhook will settle. */
export async function startCheckout(deps: UseCaseDeps, actor: Actor, body: CheckoutBody): Promise<Checkout> {
  const pack = findPack(body.packId);
  if (!pack)
    throw badRequest('Choose one of the credit packs.', [{ field: 'packId', message: 'Unknown pack.' }]);
  const site = deps.config.web.publicUrl;
  const session = await deps.stripe.checkout.sessions
    .create({
      mode: 'payment',
      client_reference_id: actor.id,
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: pack.currency,
            unit_amount: pack.amount,
            product_data: { name: `Clipwise ${pack.label}` },
          },
        },
      ],
      metadata: { userId: actor.id, packId: pack.id },
      success_url: `${site}/credits?paid={CHECKOUT_SESSION_ID}`,
      cancel_url: `${site}/credits`,
    })
    .catch((err: Error) => {
      deps.logger.error({ err: { type: err.name, message: err.message } }, 'stripe checkout failed');
      throw new AppError(
        502,
        'payments_unavailable',
        'Payments are unavailable right now. Please try again later.',
      );
    });
  const em = deps.orm.em.fork();
  em.create(Payment, {
    id: session.id,
    user: actor.id,
    pack: pack.id,
    credits: pack.credits,
    amount: pack.amount,
    currency: pack.currency,
    status: 'pending',
    createdAt: new Date(),
  });
  await em.flush();
  return { sessionId: session.id, url: session.url };
}

/** What one event did: nothing new (a repeat), or its outcome and the payment it credited. */
type Handled = { duplicate: true } | { outcome?: StripeOutcome; payment?: Payment };

/** Adds a paid session's credits once and marks its payment paid, inside the event's transaction. */
async function settle(tx: EntityManager, session: Stripe.Checkout.Session): Promise<Handled> {
  const payment = await tx.findOne(Payment, { id: session.id });
  if (!payment || !payment.user) return { outcome: 'unknown' };
  if (session.payment_status !== 'paid') return { outcome: 'unpaid' };
  const paymentIntentId =
    typeof session.payment_intent === 'string'
      ? session.payment_intent
      : (session.payment_intent?.id ?? null);
  await addPaidCredits(tx, {
    userId: payment.user,
    kind: 'purchase',
    credits: payment.credits,
    reference: `stripe:${session.id}`,
    note: `${payment.pack} pack`,
  });
  await tx.nativeUpdate(
    Payment,
    { id: session.id, status: 'pending' },
    { status: 'paid', paidAt: new Date(), paymentIntentId },
  );
  return { outcome: 'credited', payment };
}

/** The event Stripe signed, or a 400 when the signature is missing or does not match. */
function verifiedEvent(deps: UseCaseDeps, rawBody: unknown, signature: string | undefined): Stripe.Event {
  if (!signature || !Buffer.isBuffer(rawBody))
    throw new AppError(400, 'invalid_signature', 'Missing Stripe signature.');
  try {
    return deps.stripe.webhooks.constructEvent(rawBody, signature, deps.config.stripe.webhookSecret);
  } catch {
    throw new AppError(400, 'invalid_signature', 'The Stripe signature does not match.');
  }
}

/**
 * What one event does, by its type (nothing for a type the platform does not use). Pack
 * payments are settled in the event's transaction; refunds, disputes and subscription
 * events (a signal to the workflow, deduplicated there by the event's id) run while it is
 * open, and are idempotent, so a retry after a failure anywhere repeats nothing.
 */
async function handleStripeEvent(
  deps: UseCaseDeps,
  tx: EntityManager,
  event: Stripe.Event,
): Promise<Handled> {
  const object = event.data.object as { object?: string; mode?: string };
  if (object.object === 'checkout.session' && object.mode === 'subscription') {
    return { outcome: await receiveSubscriptionEvent(deps, tx, event) };
  }
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return settle(tx, event.data.object);
    case 'checkout.session.expired':
      await tx.nativeUpdate(Payment, { id: event.data.object.id, status: 'pending' }, { status: 'expired' });
      return { outcome: 'expired' };
    case 'charge.refunded':
      return { outcome: await reverseForCharge(deps, event.data.object) };
    case 'charge.dispute.created':
    case 'charge.dispute.closed':
      return { outcome: await reverseForDispute(deps, event.type, event.data.object) };
    default:
      return SUBSCRIPTION_EVENT_TYPES.has(event.type)
        ? { outcome: await receiveSubscriptionEvent(deps, tx, event) }
        : {};
  }
}

/**
 * One delivery of Stripe's webhook (signed with STRIPE_WEBHOOK_SECRET); a repeat changes
 * nothing. The event's id is recorded in the same transaction as its effect: a delivery
 * that fails half-way (a database restart, a crashed process) records nothing, so
 * Stripe's retry is handled in full, and two deliveries at once (two api processes) meet
 * on the event's row, where the second waits for the first and then finds it.
 */
export async function receiveStripeEvent(
  deps: UseCaseDeps,
  rawBody: unknown,
  signature: string | undefined,
): Promise<StripeReceipt> {
  const event = verifiedEvent(deps, rawBody, signature);
  const handled = await deps.orm.em.fork().transactional(async (tx): Promise<Handled> => {
    const fresh = await tx.execute<{ id: string }[]>(
      'insert into stripe_events (id, type, received_at) values (?, ?, now()) on conflict do nothing returning id',
      [event.id, event.type],
    );
    if (fresh.length === 0) return { duplicate: true };
    return handleStripeEvent(deps, tx, event);
  });
  if ('duplicate' in handled) return { received: true, duplicate: true };
  if (handled.payment) {
    const { payment } = handled;
    await recordAudit(deps.orm.em.fork(), {
      action: 'billing.credits_purchased',
      actorRole: 'system',
      targetType: 'payment',
      targetId: payment.id,
      subjectUserId: payment.user,
      details: { credits: payment.credits, amount: payment.amount, currency: payment.currency },
    });
  }
  return handled.outcome ? { received: true, outcome: handled.outcome } : { received: true };
}

/** My purchase history: a page of the credit packs I paid for, newest first. */
export async function myPayments(
  deps: UseCaseDeps,
  actor: Actor,
  query: PaymentListQuery,
): Promise<PaymentList> {
  const { page, nextCursor } = await newestPage(
    deps.orm.em.fork(),
    Payment,
    { user: actor.id, status: 'paid' },
    query,
  );
  return { payments: page.map(paymentView), nextCursor };
}

function paymentView(payment: Payment): PaymentView {
  return {
    id: payment.id,
    pack: payment.pack,
    credits: payment.credits,
    amount: payment.amount,
    currency: payment.currency,
    status: payment.status,
    createdAt: payment.createdAt.toISOString(),
    paidAt: payment.paidAt?.toISOString() ?? null,
  };
}

export async function myPayment(deps: UseCaseDeps, actor: Actor, paymentId: string): Promise<PaymentView> {
  const payment = await deps.orm.em.fork().findOne(Payment, { id: paymentId, user: actor.id });
  if (!payment) throw notFound('No such payment.');
  return paymentView(payment);
}
