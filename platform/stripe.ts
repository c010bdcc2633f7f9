// The Stripe client: stripe-mock in development and tests (STRIPE_API_URL), Stripe
// itself in production.
import Stripe from 'stripe';
import type { Config } from '../config/index.ts';

// The library's telemetry is off: it would send Stripe, with each request, the id and
// duration of the one before and this machine's system, kernel release and architecture
// (its other builds also an id of their own kept in ~/.config/stripe). Stripe gets what
// a payment needs, and nothing about our servers.
const OPTIONS = { maxNetworkRetries: 2, timeout: 15_000, telemetry: false } as const;

export function createStripe(stripe: Config['stripe']): Stripe {
  if (!stripe.apiUrl) return new Stripe(stripe.secretKey, OPTIONS);
  const url = new URL(stripe.apiUrl);
  return new Stripe(stripe.secretKey, {
    ...OPTIONS,
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol.replace(':', '') as 'http' | 'https',
  });
}
