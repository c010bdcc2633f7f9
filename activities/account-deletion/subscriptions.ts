// The first step of an account deletion, before anything is erased (D-SUBSCRIPTION,
// D-ERASE): every subscription of the person is cancelled at Stripe at once (no further
// invoice, no further grant) and an open Checkout page is expired; the row says why it
// ended, and its workflow is told so it finishes. The certificate lists them. Idempotent
// by the person: a retry finds the rows already ended and reports them as they were.
import { endSubscription } from '../../clients/subscription.ts';
import { Subscription } from '../../db/entities/index.ts';
import type { PlanId } from '../../domain/billing.ts';
import { recordAudit } from '../../platform/audit.ts';
import { finishStep } from '../../stores/rights-request.ts';
import {
  cancelAtStripe,
  expireCheckout,
  subscriptionsToEnd,
  type StripeCancellation,
} from '../../stores/subscription.ts';
import type { DeletionDeps, DeletionIds } from './request.ts';

/** One subscription the deletion ended, for its certificate. */
export interface EndedSubscription {
  subscriptionId: string;
  planId: PlanId;
  /** What Stripe was asked: the subscription cancelled, or an open Checkout expired. */
  atStripe: 'subscription_cancelled' | 'checkout_expired' | 'already_ended';
  endedAt: string;
}

async function endOne(deps: DeletionDeps, sub: Subscription, requestId: string): Promise<EndedSubscription> {
  if (sub.endReason === 'account_deleted' && sub.endedAt) {
    return {
      subscriptionId: sub.id,
      planId: sub.planId,
      atStripe: sub.stripeSubscriptionId ? 'subscription_cancelled' : 'checkout_expired',
      endedAt: sub.endedAt.toISOString(),
    };
  }
  let outcome: StripeCancellation;
  if (sub.stripeSubscriptionId) outcome = await cancelAtStripe(deps.stripe, sub.stripeSubscriptionId);
  else outcome = await expireCheckout(deps.stripe, sub.checkoutSessionId);
  const endedAt = new Date();
  const em = deps.orm.em.fork();
  await em.nativeUpdate(
    Subscription,
    { id: sub.id },
    {
      status: sub.stripeSubscriptionId ? 'canceled' : 'expired',
      cancelRequestedAt: sub.cancelRequestedAt ?? endedAt,
      endedAt,
      endReason: 'account_deleted',
    },
  );
  await recordAudit(em, {
    action: 'billing.subscription_cancelled',
    actorRole: 'system',
    targetType: 'subscription',
    targetId: sub.id,
    subjectUserId: sub.user ?? null,
    details: { reason: 'account_deletion', requestId, atStripe: outcome },
  });
  await endSubscription(deps.temporal.client, sub.id, { reason: 'account_deleted', at: endedAt.getTime() });
  const atStripe =
    outcome === 'already_ended'
      ? 'already_ended'
      : sub.stripeSubscriptionId
        ? 'subscription_cancelled'
        : 'checkout_expired';
  return { subscriptionId: sub.id, planId: sub.planId, atStripe, endedAt: endedAt.toISOString() };
}

export function createSubscriptionEndActivities(deps: DeletionDeps) {
  return {
    /** Cancels every subscription of the person at Stripe, before their account is erased. */
    async cancelSubscriptions(input: DeletionIds): Promise<EndedSubscription[]> {
      const subs = await subscriptionsToEnd(deps.orm.em.fork(), input.userId);
      const ended: EndedSubscription[] = [];
      for (const sub of subs) ended.push(await endOne(deps, sub, input.requestId));
      await finishStep(deps.orm.em.fork(), { id: input.requestId }, 'deletion', 'cancel_subscriptions', {
        subscriptionsCancelled: ended.length,
      });
      return ended;
    },
  };
}
