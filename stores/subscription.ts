// Subscriptions as both sides read them: a person's current subscription (the API's
// views and checks, the account deletion), and cancelling one at Stripe, which the
// account deletion does before anything is erased (D-SUBSCRIPTION, D-ERASE).
import type { EntityManager } from '@mikro-orm/postgresql';
import Stripe from 'stripe';
import { Subscription } from '../db/entities/index.ts';
import { LIVE_SUBSCRIPTION_STATUSES } from '../domain/subscription.ts';

/** The person's subscription that runs (or runs until its period ends), if any. */
export function liveSubscriptionOf(em: EntityManager, userId: string): Promise<Subscription | null> {
  return em.findOne(
    Subscription,
    { user: userId, status: { $in: [...LIVE_SUBSCRIPTION_STATUSES] } },
    { orderBy: { createdAt: 'desc' } },
  );
}

/** The person's subscriptions the account deletion must end: running, or waiting on Checkout. */
export function subscriptionsToEnd(em: EntityManager, userId: string): Promise<Subscription[]> {
  return em.find(
    Subscription,
    {
      user: userId,
      $or: [
        { status: { $in: ['pending', ...LIVE_SUBSCRIPTION_STATUSES] } },
        { endReason: 'account_deleted' },
      ],
    },
    { orderBy: { createdAt: 'asc' } },
  );
}

export type StripeCancellation = 'cancelled' | 'already_ended';

const alreadyGone = (err: unknown) =>
  err instanceof Stripe.errors.StripeInvalidRequestError &&
  (err.code === 'resource_missing' || /cancel/i.test(err.message));

/** Cancels a subscription at Stripe at once (no further invoice); one already ended is left as it is. */
export async function cancelAtStripe(
  stripe: Stripe,
  stripeSubscriptionId: string,
): Promise<StripeCancellation> {
  try {
    await stripe.subscriptions.cancel(stripeSubscriptionId);
    return 'cancelled';
  } catch (err) {
    if (alreadyGone(err)) return 'already_ended';
    throw err;
  }
}

/** Expires an open Checkout page, so no subscription can start from it any more. */
export async function expireCheckout(stripe: Stripe, checkoutSessionId: string): Promise<StripeCancellation> {
  try {
    await stripe.checkout.sessions.expire(checkoutSessionId);
    return 'cancelled';
  } catch (err) {
    // Completed or expired already: Stripe refuses to expire it.
    if (err instanceof Stripe.errors.StripeInvalidRequestError) return 'already_ended';
    throw err;
  }
}
