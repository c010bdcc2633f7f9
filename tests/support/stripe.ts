// Stripe Checkout in the tests: a webhook delivery signed as Stripe signs it (the stripe
// package's own test helper), against the platform's webhook secret.
import Stripe from 'stripe';
import type { TestPlatform } from './platform.ts';

export async function deliverStripeEvent(
  platform: TestPlatform,
  event: Record<string, unknown>,
  secret = platform.config.stripe.webhookSecret,
): Promise<Response> {
  const payload = JSON.stringify(event);
  const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload, secret });
  return fetch(`${platform.api.url}/api/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
}

/** Stripe's `checkout.session.completed` event for a session. */
export const checkoutCompleted = (eventId: string, sessionId: string, paid = true) => ({
  id: eventId,
  object: 'event',
  type: 'checkout.session.completed',
  data: { object: { id: sessionId, object: 'checkout.session', payment_status: paid ? 'paid' : 'unpaid' } },
});
