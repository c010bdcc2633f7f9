import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * Every Stripe webhook event received, by id, so a redelivery changes nothing. `handledAt`
 * is set once its handling is done: a delivery whose handling failed is handled again
 * when Stripe retries it.
 */
export const StripeEvent = defineEntity({
  name: 'StripeEvent',
  tableName: 'stripe_events',
  properties: {
    id: p.string().length(255).primary(),
    type: p.string().length(100),
    receivedAt: p.datetime().onCreate(() => new Date()),
    handledAt: p.datetime().nullable(),
  },
});
export type StripeEvent = InferEntity<typeof StripeEvent>;
