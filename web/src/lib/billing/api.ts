// The billing calls (the credit ledger, packs, Stripe Checkout, payments) and the
// subscription calls (plans, subscribing, my subscription and invoices, a plan change,
// cancelling, Stripe's customer portal) on the site's API client.
import type { PlanId } from '../../../../domain/billing.ts';
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';
import type {
  BillingPortal,
  Checkout,
  CreditPack,
  Credits,
  InvoiceList,
  PaymentList,
  PaymentView,
  PlanList,
  SubscriptionOverview,
  SubscriptionView,
} from './types.ts';

export function billingCalls(api: ApiClient) {
  return {
    credits: (query: { before?: number; limit?: number } = {}) =>
      api.call<Credits>('GET', `/api/credits${queryString(query)}`),
    packs: () => api.call<{ packs: CreditPack[] }>('GET', '/api/billing/packs'),
    /** Starts paying for a pack: answers with Stripe Checkout's page, where the card is typed (R-NOCARD). */
    checkout: (packId: string, csrfToken: string) =>
      api.call<Checkout>('POST', '/api/billing/checkout', { body: { packId }, csrfToken }),
    payment: (id: string) => api.call<PaymentView>('GET', `/api/billing/payments/${seg(id)}`),
    /** A page of my purchase history (D-SUBSCRIPTION); `cursor` is the page before's `nextCursor`. */
    payments: (cursor?: string) =>
      api.call<PaymentList>('GET', `/api/billing/payments${queryString({ cursor })}`),
    /** A page of my invoices; `cursor` is the page before's `nextCursor`. */
    invoices: (cursor?: string) =>
      api.call<InvoiceList>('GET', `/api/billing/invoices${queryString({ cursor })}`),
    plans: () => api.call<PlanList>('GET', '/api/billing/plans'),
    /** My subscription (running, or the last one), its invoices and the plans. */
    subscription: () => api.call<SubscriptionOverview>('GET', '/api/billing/subscription'),
    /** Subscribes: answers with Stripe Checkout's page in subscription mode (R-NOCARD). */
    subscribe: (planId: PlanId, csrfToken: string) =>
      api.call<Checkout>('POST', '/api/billing/subscription', { body: { planId }, csrfToken }),
    changePlan: (planId: PlanId, csrfToken: string) =>
      api.call<SubscriptionView>('POST', '/api/billing/subscription/plan', { body: { planId }, csrfToken }),
    /** Cancels at the end of the period already paid for. */
    cancelSubscription: (csrfToken: string) =>
      api.call<SubscriptionView>('POST', '/api/billing/subscription/cancel', { csrfToken }),
    /** Stripe's customer portal for this visit (payment methods, invoices). */
    portal: (csrfToken: string) => api.call<BillingPortal>('POST', '/api/billing/portal', { csrfToken }),
  };
}
