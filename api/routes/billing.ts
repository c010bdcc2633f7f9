// Billing over HTTP: my credits and their ledger, the credit packs, Stripe Checkout for
// a pack (R-NOCARD), Stripe's signed webhook (payments, subscriptions, refunds and
// disputes), and my payments (D-SUBSCRIPTION: my purchase history). The rules are in
// use-cases/billing.ts.
import {
  checkout,
  checkoutBody,
  creditPackList,
  credits,
  creditsQuery,
  paymentList,
  paymentListQuery,
  paymentParams,
  paymentView,
  stripeReceipt,
} from '../../domain/contracts/billing.ts';
import {
  creditPacks,
  myCredits,
  myPayment,
  myPayments,
  receiveStripeEvent,
  startCheckout,
} from '../../use-cases/billing.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';

export const billingRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/credits',
    summary: 'My credit balance and ledger entries, newest first',
    tags: ['billing'],
    access: 'signed-in',
    query: creditsQuery,
    response: credits,
    handler: ({ deps, query, req }) => myCredits(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'get',
    path: '/api/billing/packs',
    summary: 'Credit packs and their prices',
    tags: ['billing'],
    access: 'public',
    response: creditPackList,
    handler: () => creditPacks(),
  }),

  defineRoute({
    method: 'post',
    path: '/api/billing/checkout',
    summary: "Start buying a credit pack: answers with Stripe Checkout's page to pay on",
    tags: ['billing'],
    access: 'verified',
    status: 201,
    body: checkoutBody,
    response: checkout,
    errors: [{ status: 502, code: 'payments_unavailable', when: 'the payment processor did not answer' }],
    handler: ({ deps, body, req }) => startCheckout(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/webhooks/stripe',
    summary: "Stripe's webhook (signed with STRIPE_WEBHOOK_SECRET)",
    tags: ['webhooks'],
    access: 'public',
    csrf: false,
    response: stripeReceipt,
    // The raw body (a Buffer, see api/app.ts): Stripe signs the exact bytes it sent.
    errors: [
      { status: 400, code: 'invalid_signature', when: 'the Stripe signature is missing or does not match' },
    ],
    handler: ({ deps, req }) => receiveStripeEvent(deps, req.body, req.get('stripe-signature')),
  }),

  defineRoute({
    method: 'get',
    path: '/api/billing/payments',
    summary: 'My purchase history: the credit packs I paid for, newest first, a page at a time',
    tags: ['billing'],
    access: 'signed-in',
    query: paymentListQuery,
    response: paymentList,
    handler: ({ deps, query, req }) => myPayments(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'get',
    path: '/api/billing/payments/:id',
    summary: 'One of my payments (the page Stripe returns to shows it)',
    tags: ['billing'],
    access: 'signed-in',
    params: paymentParams,
    response: paymentView,
    handler: ({ deps, params, req }) => myPayment(deps, caller(req).user, params.id),
  }),
];
