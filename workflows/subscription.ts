// One durable workflow per subscription (`subscription-<id>`, task queue `billing`;
// D-SUBSCRIPTION): it grants each paid period's credits, pauses grants while an invoice
// is past due (Stripe retries the card) and resumes them when it is paid, follows plan
// changes (a prorated upgrade invoice grants the prorated difference), stops granting for
// periods after a cancellation takes effect, and ends when Stripe (or the account
// deletion) ends the subscription. The rules are domain/subscription.ts's `applyEvent`.
//
// Stripe's events arrive as signals (from the webhook, signal-with-start), deduplicated
// by event id here as well as at the webhook. Lean by design: no timer (Stripe drives
// every change); each wake-up folds the events that arrived into the state and writes
// what they decided in one local activity (the row the site reads, invoices, grants),
// so a month costs about 4 actions (2 signals: the period's `customer.subscription.updated`
// and `invoice.paid`; 2 workflow tasks, their local activity counted with them).
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SubscriptionActivities } from '../activities/subscription/index.ts';
import type { SubscriptionRow } from '../activities/subscription/records.ts';
import type { PlanId } from '../domain/billing.ts';
import {
  EVENTS_PER_RUN,
  SEEN_EVENT_MEMORY,
  applyEnd,
  applyEvent,
  initialSubscriptionState,
  type Effects,
  type SubscriptionEnd,
  type SubscriptionEvent,
  type SubscriptionState,
} from '../domain/subscription.ts';
import { MINUTE, SECOND } from '../domain/time.ts';

// ---------------------------------------------------------------- messages

export interface SubscriptionInput {
  subscriptionId: string;
  userId: string;
  planId: PlanId;
  /** What a run that continued as new hands on. */
  carried?: { state: SubscriptionState; seen: string[] };
}

/** One of Stripe's events about this subscription, as the webhook reduced it. */
export const stripeEventSignal = defineSignal<[SubscriptionEvent]>('stripeEvent');
/** The platform ended the subscription at Stripe itself (account deletion). */
export const endSignal = defineSignal<[SubscriptionEnd]>('end');
/** For operators in the Web UI; the platform reads the subscription's row. */
export const stateQuery = defineQuery<SubscriptionState>('state');

// ---------------------------------------------------------------- activities

// A database write: retried until the database answers, so no event's effect is lost.
const records = proxyLocalActivities<SubscriptionActivities>({
  startToCloseTimeout: 30 * SECOND,
  retry: { initialInterval: SECOND, backoffCoefficient: 2, maximumInterval: MINUTE },
});

// ---------------------------------------------------------------- the workflow

type Message = { event: SubscriptionEvent } | { end: SubscriptionEnd };

function rowOf(state: SubscriptionState): SubscriptionRow {
  return {
    status: state.status,
    planId: state.planId,
    stripeSubscriptionId: state.stripeSubscriptionId,
    customerId: state.customerId,
    itemId: state.itemId,
    periodStart: state.periodStart,
    periodEnd: state.periodEnd,
    cancelAtPeriodEnd: state.cancelAtPeriodEnd,
    endsAt: state.endsAt,
    endedAt: state.endedAt,
    endReason: state.endReason,
    creditsGranted: state.creditsGranted,
  };
}

export async function subscriptionWorkflow(input: SubscriptionInput): Promise<SubscriptionState> {
  const state = input.carried?.state ?? initialSubscriptionState(input);
  const seen = input.carried?.seen ?? [];
  const inbox: Message[] = [];
  setHandler(stateQuery, () => state);
  setHandler(stripeEventSignal, (event) => {
    // A redelivery the webhook let through (its first handling failed after the signal).
    if (seen.includes(event.eventId)) return;
    seen.push(event.eventId);
    if (seen.length > SEEN_EVENT_MEMORY) seen.splice(0, seen.length - SEEN_EVENT_MEMORY);
    inbox.push({ event });
  });
  setHandler(endSignal, (end) => {
    inbox.push({ end });
  });

  let handled = 0;
  for (;;) {
    await condition(() => inbox.length > 0);
    const effects: Effects = { invoices: [], grants: [] };
    for (const message of inbox.splice(0)) {
      const step = 'end' in message ? applyEnd(state, message.end) : applyEvent(state, message.event);
      effects.invoices.push(...step.invoices);
      effects.grants.push(...step.grants);
      handled++;
    }
    await records.recordSubscription({
      subscriptionId: input.subscriptionId,
      row: rowOf(state),
      invoices: effects.invoices,
      grants: effects.grants,
    });
    if (state.endedAt !== null) return state;
    // Years of events stay cheap to replay: a long run hands its state to a new one.
    if (inbox.length === 0 && (handled >= EVENTS_PER_RUN || workflowInfo().continueAsNewSuggested)) {
      await continueAsNew<typeof subscriptionWorkflow>({ ...input, carried: { state, seen } });
    }
  }
}
