// Signals Temporal did not take while it did not answer (db/entities/UntoldSignal.ts), and
// Stripe's subscription events (db/entities/UntoldSubscriptionEvent.ts).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { WorkflowSignal } from '../clients/signals.ts';
import { UntoldSignal, UntoldSubscriptionEvent } from '../db/entities/index.ts';
import type { SubscriptionEvent } from '../domain/subscription.ts';

/** Recorded in the order given: the unstarted sweep of `namespace` sends them in that order. */
export async function recordUntoldSignals(
  em: EntityManager,
  namespace: string,
  signals: readonly WorkflowSignal[],
): Promise<void> {
  if (signals.length === 0) return;
  const failedAt = new Date();
  await em.insertMany(
    UntoldSignal,
    signals.map((s) => ({ namespace, workflowId: s.workflowId, signal: s.signal, args: s.args, failedAt })),
  );
}

/** Keeps one of Stripe's subscription events for the unstarted sweep of `namespace`. */
export async function recordUntoldSubscriptionEvent(
  em: EntityManager,
  namespace: string,
  subscriptionId: string,
  event: SubscriptionEvent,
): Promise<void> {
  await em.insert(UntoldSubscriptionEvent, {
    namespace,
    subscription: subscriptionId,
    event,
    failedAt: new Date(),
  });
}
