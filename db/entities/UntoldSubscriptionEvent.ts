import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import type { SubscriptionEvent } from '../../domain/subscription.ts';
import { Subscription } from './Subscription.ts';

/**
 * One of Stripe's subscription events the webhook took while Temporal did not answer: its
 * receipt is recorded (`stripe_events`) in the same transaction, so Stripe is answered and
 * sends it no more, and the unstarted sweep of the same Temporal namespace gives it to the
 * subscription's workflow (signal-with-start: the first event starts it) once Temporal
 * answers, in the order they were recorded, then removes this row. Empty while Temporal
 * is up.
 */
export const UntoldSubscriptionEvent = defineEntity({
  name: 'UntoldSubscriptionEvent',
  tableName: 'untold_subscription_events',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    /** The Temporal namespace of the workflow (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    subscription: () => p.manyToOne(Subscription).mapToPk().deleteRule('cascade').index(),
    /** The event as the workflow takes it (reduced from Stripe's; no card data). */
    event: p.json<SubscriptionEvent>(),
    failedAt: p.datetime(),
  },
});
export type UntoldSubscriptionEvent = InferEntity<typeof UntoldSubscriptionEvent>;
