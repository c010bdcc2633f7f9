// Stripe's subscription events the webhook kept while Temporal did not answer
// (use-cases/subscription-events.ts records them in `untold_subscription_events` with
// their receipt, so Stripe sends them no more): given here to each subscription's
// workflow, in the same scheduled run as unstarted jobs, once Temporal answers, in the
// order they were recorded. The first event of a subscription starts its workflow
// (signal-with-start), as the webhook would have. Before, the webhook answered 503 and
// the event waited for Stripe's next delivery, which backs off for up to three days.
import type { EntityManager } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import { sendSubscriptionEvent } from '../../clients/subscription.ts';
import { Subscription, UntoldSubscriptionEvent } from '../../db/entities/index.ts';
import { cancelStartedAfterDeletion, endedByAccountDeletion } from '../../stores/subscription.ts';
import { waitingIn, type UnstartedSweepDeps } from './unstarted.ts';
import { tellEach, type UntoldSignalSweep } from './untold-signals.ts';

export function createUntoldSubscriptionEventActivities(deps: UnstartedSweepDeps & { stripe: Stripe }) {
  /** True when the workflow took it; false when it had ended, or the account was deleted. */
  async function tell(em: EntityManager, row: UntoldSubscriptionEvent): Promise<boolean> {
    const sub = await em.findOneOrFail(Subscription, { id: row.subscription });
    if (!sub.user || endedByAccountDeletion(sub)) {
      // The account was deleted meanwhile: as the webhook does then, a subscription
      // Stripe started at the last moment is cancelled there.
      await cancelStartedAfterDeletion(em, deps.stripe, sub, row.event);
      return false;
    }
    const input = { subscriptionId: sub.id, userId: sub.user, planId: sub.planId };
    return (await sendSubscriptionEvent(deps.temporal.client, input, row.event)) === 'delivered';
  }
  return {
    async sendUntoldSubscriptionEvents(): Promise<UntoldSignalSweep> {
      const em = deps.orm.em.fork();
      const read = (offset: number) =>
        waitingIn(em, UntoldSubscriptionEvent, deps.config, { id: 'asc' }, offset);
      return tellEach(read, {
        workflowOf: (row) => row.subscription,
        tell: (row) => tell(em, row),
        forget: (row) => em.nativeDelete(UntoldSubscriptionEvent, { id: row.id }),
      });
    },
  };
}
