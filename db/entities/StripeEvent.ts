import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/** Every Stripe webhook event handled, by id, so a redelivery changes nothing. */
export const StripeEvent = defineEntity({
  name: 'StripeEvent',
  tableName: 'stripe_events',
  properties: {
    id: p.string().length(255).primary(),
    type: p.string().length(100),
    receivedAt: p.datetime().onCreate(() => new Date()),
  },
});
export type StripeEvent = InferEntity<typeof StripeEvent>;
