// Buying credits with Stripe Checkout: the card is typed on Stripe's own page, so no
// card number ever reaches this platform (R-NOCARD). A signed webhook confirms the
// payment; each Stripe event is handled once (deduplicated by its id) and each payment
// adds its credits once (the ledger entry is keyed by the Checkout Session).
import type { Request } from 'express';
import type Stripe from 'stripe';
import { z } from 'zod';
import { CREDIT_PACKS, findPack } from '../../domain/billing.ts';
import { Payment } from '../../db/entities/index.ts';
import { writeLedger } from '../../db/ledger.ts';
import { recordAudit } from '../../platform/audit.ts';
import { caller } from '../auth/access.ts';
import type { ApiDeps } from '../deps.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';

export function billingRoutes(deps: ApiDeps) {
  const stripe = deps.stripe;
  const site = deps.config.web.publicUrl;

  async function settle(session: Stripe.Checkout.Session): Promise<'credited' | 'unpaid' | 'unknown'> {
    const em = deps.orm.em.fork();
    const payment = await em.findOne(Payment, { id: session.id });
    if (!payment || !payment.user) return 'unknown';
    if (session.payment_status !== 'paid') return 'unpaid';
    await em.transactional(async (tx) => {
      await writeLedger(tx, {
        userId: payment.user!,
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
    });
    await recordAudit(em, {
      action: 'billing.credits_purchased',
      actorRole: 'system',
      targetType: 'payment',
      targetId: session.id,
      subjectUserId: payment.user,
      details: { credits: payment.credits, amount: payment.amount, currency: payment.currency },
    });
    return 'credited';
  }

  return [
    defineRoute({
      method: 'get',
      path: '/api/billing/packs',
      summary: 'Credit packs and their prices',
      tags: ['billing'],
      access: 'public',
      handler: () => ({ packs: CREDIT_PACKS }),
    }),

    defineRoute({
      method: 'post',
      path: '/api/billing/checkout',
      summary: "Start buying a credit pack: answers with Stripe Checkout's page to pay on",
      tags: ['billing'],
      access: 'verified',
      status: 201,
      body: z.object({ packId: z.string().max(32) }),
      handler: async ({ body, req }) => {
        const { user } = caller(req);
        const pack = findPack(body.packId);
        if (!pack)
          throw badRequest('Choose one of the credit packs.', [
            { field: 'packId', message: 'Unknown pack.' },
          ]);
        const session = await stripe.checkout.sessions
          .create({
            mode: 'payment',
            client_reference_id: user.id,
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
            metadata: { userId: user.id, packId: pack.id },
            success_url: `${site}/credits?paid={CHECKOUT_SESSION_ID}`,
            cancel_url: `${site}/credits`,
          })
          .catch((err: Error) => {
            req.log.error({ err: { type: err.name, message: err.message } }, 'stripe checkout failed');
            throw new AppError(
              502,
              'payments_unavailable',
              'Payments are unavailable right now. Please try again later.',
            );
          });
        const em = deps.orm.em.fork();
        em.create(Payment, {
          id: session.id,
          user: user.id,
          pack: pack.id,
          credits: pack.credits,
          amount: pack.amount,
          currency: pack.currency,
          status: 'pending',
          createdAt: new Date(),
        });
        await em.flush();
        return { sessionId: session.id, url: session.url };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/webhooks/stripe',
      summary: "Stripe's webhook (signed with STRIPE_WEBHOOK_SECRET)",
      tags: ['webhooks'],
      access: 'public',
      csrf: false,
      handler: async ({ req }) => {
        const event = verify(req);
        const em = deps.orm.em.fork();
        const fresh = await em.execute<{ id: string }[]>(
          'insert into stripe_events (id, type, received_at) values (?, ?, now()) on conflict do nothing returning id',
          [event.id, event.type],
        );
        if (fresh.length === 0) return { received: true, duplicate: true };
        if (
          event.type === 'checkout.session.completed' ||
          event.type === 'checkout.session.async_payment_succeeded'
        ) {
          return { received: true, outcome: await settle(event.data.object as Stripe.Checkout.Session) };
        }
        if (event.type === 'checkout.session.expired') {
          const session = event.data.object as Stripe.Checkout.Session;
          await em.nativeUpdate(Payment, { id: session.id, status: 'pending' }, { status: 'expired' });
        }
        return { received: true };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/billing/payments/:id',
      summary: 'One of my payments (the page Stripe returns to shows it)',
      tags: ['billing'],
      access: 'signed-in',
      params: z.object({ id: z.string().max(255) }),
      handler: async ({ params, req }) => {
        const payment = await deps.orm.em
          .fork()
          .findOne(Payment, { id: params.id, user: caller(req).user.id });
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
      },
    }),
  ];

  function verify(req: Request): Stripe.Event {
    const signature = req.get('stripe-signature');
    if (!signature || !Buffer.isBuffer(req.body))
      throw new AppError(400, 'invalid_signature', 'Missing Stripe signature.');
    try {
      return stripe.webhooks.constructEvent(req.body, signature, deps.config.stripe.webhookSecret);
    } catch {
      throw new AppError(400, 'invalid_signature', 'The Stripe signature does not match.');
    }
  }
}
