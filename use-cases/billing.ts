// Billing: a creator's credits and the ledger behind them, and buying credit packs with
// Stripe Checkout. The card is typed on Stripe's own page, so no card number ever
// reaches this platform (R-NOCARD). A signed webhook confirms the payment; each Stripe
// event is handled once (deduplicated by its id) and each payment adds its credits once
// (the ledger entry is keyed by the Checkout Session). Payments are kept 7 years,
// detached from a deleted person (R-PAY-7Y, done by the account deletion).
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
  PaymentView,
  StripeReceipt,
} from '../domain/contracts/billing.ts';
import { AppError, badRequest, notFound } from '../domain/errors.ts';
import { recordAudit } from '../platform/audit.ts';
import { creditBalance, ledgerPage, writeLedger } from '../stores/billing.ts';
import type { Actor, UseCaseDeps } from './deps.ts';

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
type Handled = { duplicate: true } | { outcome?: 'credited' | 'unpaid' | 'unknown'; payment?: Payment };

/** Adds a paid session's credits once and marks its payment paid, inside the event's transaction. */
async function settle(tx: EntityManager, session: Stripe.Checkout.Session): Promise<Handled> {
  const payment = await tx.findOne(Payment, { id: session.id });
  if (!payment || !payment.user) return { outcome: 'unknown' };
  if (session.payment_status !== 'paid') return { outcome: 'unpaid' };
  await writeLedger(tx, {
    userId: payment.user,
    kind: 'purchase',
    credits: payment.credits,
    reference: `stripe:${session.id}`,
    note: `${payment.pack} pack`,
  });
  await tx.nativeUpdate(
    Payment,
    { id: session.id, status: 'pending' },
    { status: 'paid', paidAt: new Date() },
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
    if (
      event.type === 'checkout.session.completed' ||
      event.type === 'checkout.session.async_payment_succeeded'
    ) {
      return settle(tx, event.data.object);
    }
    if (event.type === 'checkout.session.expired') {
      await tx.nativeUpdate(Payment, { id: event.data.object.id, status: 'pending' }, { status: 'expired' });
    }
    return {};
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

export async function myPayment(deps: UseCaseDeps, actor: Actor, paymentId: string): Promise<PaymentView> {
  const payment = await deps.orm.em.fork().findOne(Payment, { id: paymentId, user: actor.id });
  if (!payment) throw notFound('No such payment.');
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
