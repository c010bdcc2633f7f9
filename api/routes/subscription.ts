// Subscriptions over HTTP (D-SUBSCRIPTION): the plans, subscribing through Stripe
// Checkout (R-NOCARD), my subscription with its invoices (a page at a time), a plan change, cancelling at
// period end, and Stripe's customer portal. Stripe's events arrive at the billing
// webhook. The rules are in use-cases/subscription.ts.
import { checkout } from '../../domain/contracts/billing.ts';
import {
  billingPortal,
  invoiceList,
  invoiceListQuery,
  planBody,
  planList,
  subscriptionOverview,
  subscriptionView,
} from '../../domain/contracts/subscription.ts';
import {
  cancelMySubscription,
  changeMyPlan,
  myInvoices,
  mySubscription,
  offeredPlans,
  openBillingPortal,
  startSubscription,
} from '../../use-cases/subscription.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';

const paymentsDown = { status: 502, code: 'payments_unavailable', when: 'Stripe does not answer' } as const;
const noSubscription = { status: 409, code: 'no_subscription', when: 'no subscription is running' } as const;
const starting = {
  status: 409,
  code: 'subscription_starting',
  when: 'Stripe has not confirmed the subscription yet',
} as const;

export const subscriptionRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/billing/plans',
    summary: 'Monthly plans: credits per month and price',
    tags: ['subscription'],
    access: 'public',
    response: planList,
    handler: ({ deps }) => offeredPlans(deps),
  }),

  defineRoute({
    method: 'get',
    path: '/api/billing/subscription',
    summary:
      'My subscription (running, or the last one), the first page of my invoices with Stripe’s invoice pages, and the plans',
    tags: ['subscription'],
    access: 'signed-in',
    response: subscriptionOverview,
    handler: ({ deps, req }) => mySubscription(deps, caller(req).user),
  }),

  defineRoute({
    method: 'get',
    path: '/api/billing/invoices',
    summary: 'My invoices, newest first, a page at a time (kept 7 years)',
    tags: ['subscription'],
    access: 'signed-in',
    query: invoiceListQuery,
    response: invoiceList,
    handler: ({ deps, query, req }) => myInvoices(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'post',
    path: '/api/billing/subscription',
    summary: "Subscribe to a plan: answers with Stripe Checkout's page to pay on",
    tags: ['subscription'],
    access: 'verified',
    status: 201,
    body: planBody,
    response: checkout,
    errors: [
      { status: 409, code: 'subscription_exists', when: 'a subscription is already running' },
      paymentsDown,
    ],
    handler: ({ deps, body, req }) => startSubscription(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/billing/subscription/plan',
    summary: 'Change my plan now, prorated by Stripe (an upgrade’s invoice grants the difference)',
    tags: ['subscription'],
    access: 'signed-in',
    body: planBody,
    response: subscriptionView,
    errors: [noSubscription, starting, paymentsDown],
    handler: ({ deps, body, req }) => changeMyPlan(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/billing/subscription/cancel',
    summary: 'Cancel my subscription at the end of the period already paid for',
    tags: ['subscription'],
    access: 'signed-in',
    response: subscriptionView,
    errors: [noSubscription, starting, paymentsDown],
    handler: ({ deps, req }) => cancelMySubscription(deps, caller(req).user),
  }),

  defineRoute({
    method: 'post',
    path: '/api/billing/portal',
    summary: "Stripe's customer portal for this visit (payment methods, invoices, cancellation)",
    tags: ['subscription'],
    access: 'signed-in',
    response: billingPortal,
    errors: [{ ...noSubscription, when: 'there is no billing account yet' }, paymentsDown],
    handler: ({ deps, req }) => openBillingPortal(deps, caller(req).user),
  }),
];
