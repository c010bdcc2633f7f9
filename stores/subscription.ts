// Subscriptions as both sides read them: a person's current subscription (the API's
// views and checks, the account deletion), and cancelling one at Stripe, which the
// account deletion does before anything is erased (D-SUBSCRIPTION, D-ERASE), and one
// Stripe started at the last moment for a deleted person.
import type { EntityManager } from '@mikro-orm/postgresql';
import Stripe from 'stripe';
import { Subscription } from '../db/entities/index.ts';
import { LIVE_SUBSCRIPTION_STATUSES, type SubscriptionEvent } from '../domain/subscription.ts';
import { recordAudit } from '../platform/audit.ts';

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

/** The person's account deletion ended it: its workflow takes no more of Stripe's events. */
export const endedByAccountDeletion = (sub: Subscription) => sub.endReason === 'account_deleted';

/**
 * The person's account was deleted (its subscriptions ended first): a subscription Stripe
 * started from a Checkout page completed at the last moment is cancelled there at once,
 * and audited.
 */
export async function cancelStartedAfterDeletion(
  em: EntityManager,
  stripe: Stripe,
  sub: Subscription,
  event: SubscriptionEvent,
): Promise<void> {
  const stripeId =
    event.kind === 'checkout_completed'
      ? event.stripeSubscriptionId
      : 'snapshot' in event && event.kind !== 'subscription_ended'
        ? event.snapshot.stripeSubscriptionId
        : null;
  if (!stripeId || stripeId === sub.stripeSubscriptionId) return;
  const outcome = await cancelAtStripe(stripe, stripeId);
  await recordAudit(em, {
    action: 'billing.subscription_cancelled',
    actorRole: 'system',
    targetType: 'subscription',
    targetId: sub.id,
    details: { reason: 'account_deletion', atStripe: outcome, late: true },
  });
}
