// The billing calls (the credit ledger, packs, Stripe Checkout, a payment) on the site's
// API client.
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';
import type { Checkout, CreditPack, Credits, PaymentView } from './types.ts';

export function billingCalls(api: ApiClient) {
  return {
    credits: (query: { before?: number; limit?: number } = {}) =>
      api.call<Credits>('GET', `/api/credits${queryString(query)}`),
    packs: () => api.call<{ packs: CreditPack[] }>('GET', '/api/billing/packs'),
    /** Starts paying for a pack: answers with Stripe Checkout's page, where the card is typed (R-NOCARD). */
    checkout: (packId: string, csrfToken: string) =>
      api.call<Checkout>('POST', '/api/billing/checkout', { body: { packId }, csrfToken }),
    payment: (id: string) => api.call<PaymentView>('GET', `/api/billing/payments/${seg(id)}`),
  };
}
