// Subscription activities: what a subscription's workflow writes (its row, invoices and
// grants). The account deletion's cancellation of a person's subscriptions at Stripe is
// one of its steps (activities/account-deletion/subscriptions.ts).
import type { MikroORM } from '@mikro-orm/postgresql';
import { createSubscriptionRecordActivities } from './records.ts';

export function createSubscriptionActivities(deps: { orm: MikroORM }) {
  return {
    ...createSubscriptionRecordActivities(deps),
  };
}

export type SubscriptionActivities = ReturnType<typeof createSubscriptionActivities>;
