// Subscription activities: what a subscription's workflow writes, and the account
// deletion's cancellation of a person's subscriptions at Stripe.
import type { MikroORM } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import type { TemporalClients } from '../../platform/temporal.ts';
import { createSubscriptionCancelActivities } from './cancel.ts';
import { createSubscriptionRecordActivities } from './records.ts';

export type { EndedSubscription } from './cancel.ts';

export function createSubscriptionActivities(deps: {
  orm: MikroORM;
  stripe: Stripe;
  temporal: TemporalClients;
}) {
  return {
    ...createSubscriptionRecordActivities(deps),
    ...createSubscriptionCancelActivities(deps),
  };
}

export type SubscriptionActivities = ReturnType<typeof createSubscriptionActivities>;
