import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { uuidKey, createdNow } from './columns.ts';
import { PLAN_IDS } from '../../domain/billing.ts';
import { SUBSCRIPTION_END_REASONS, SUBSCRIPTION_STATUSES } from '../../domain/subscription.ts';
import { User } from './User.ts';

/**
 * A monthly plan billed by Stripe Billing (D-SUBSCRIPTION). Made when Checkout starts;
 * from then on written by its workflow (`subscription-<id>`) alone, which the site reads
 * here. Kept as a payment record (R-PAY-7Y): detached from a deleted person, removed 7
 * years after it ended. No card data: Stripe holds it (R-NOCARD).
 */
export const Subscription = defineEntity({
  name: 'Subscription',
  tableName: 'subscriptions',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null').index(),
    planId: p.enum(PLAN_IDS),
    status: p.enum(SUBSCRIPTION_STATUSES).default('pending'),
    checkoutSessionId: p.string().length(255).unique(),
    stripeSubscriptionId: p.string().length(255).nullable().unique(),
    stripeCustomerId: p.string().length(255).nullable(),
    /** The subscription item whose price a plan change replaces. */
    stripeItemId: p.string().length(255).nullable(),
    currentPeriodStart: p.datetime().nullable(),
    currentPeriodEnd: p.datetime().nullable(),
    cancelAtPeriodEnd: p.boolean().default(false),
    /** When it ends (or will), as Stripe set it. */
    endsAt: p.datetime().nullable(),
    /** The person asked to cancel (the webhook that confirms it may come later). */
    cancelRequestedAt: p.datetime().nullable(),
    endedAt: p.datetime().nullable(),
    endReason: p.enum(SUBSCRIPTION_END_REASONS).nullable(),
    creditsGranted: p.integer().default(0),
    createdAt: createdNow(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Subscription = InferEntity<typeof Subscription>;
