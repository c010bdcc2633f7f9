// The Stripe client: stripe-mock in development and tests (STRIPE_API_URL), Stripe
// itself in production.
import Stripe from 'stripe';
import type { Config } from '../config/index.ts';

export function createStripe(stripe: Config['stripe']): Stripe {
  if (!stripe.apiUrl) return new Stripe(stripe.secretKey, { maxNetworkRetries: 2, timeout: 15_000 });
  const url = new URL(stripe.apiUrl);
  return new Stripe(stripe.secretKey, {
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol.replace(':', '') as 'http' | 'https',
    maxNetworkRetries: 2,
    timeout: 15_000,
  });
}
