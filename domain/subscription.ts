// A subscription's rules, pure so the workflow (`subscription-<id>`), its tests and the
// site share them: the statuses, the Stripe events as the workflow receives them (already
// checked, deduplicated and reduced to what matters), and `applyEvent`, which folds one
// event into the subscription's state and says which invoice records to write and which
// credits to grant.
//
// - Credits follow paid invoices (`invoiceCredits`), once per invoice.
// - Past due: an invoice whose payment failed and is not settled (paid, voided, or
//   written off) pauses every grant; paid invoices wait (`held`) and are granted when the
//   last unpaid one is settled, or when the subscription ends (they were paid).
// - Cancel at period end: an invoice for a period that starts when the subscription has
//   ended (or will have) grants nothing.
// - Out of order and replays: a subscription snapshot older than the one applied is
//   ignored; a failure reported after the invoice was paid changes nothing; a paid invoice
//   seen before is not granted again.
import { findPlan, invoiceCredits, type Currency, type InvoiceLine, type PlanId } from './billing.ts';

export const SUBSCRIPTION_STATUSES = [
  /** Checkout started; nothing paid yet. */
  'pending',
  /** The Checkout page expired without a subscription. */
  'expired',
  'active',
  /** An invoice's payment failed: Stripe retries the card, grants wait. */
  'past_due',
  /** Cancelled at period end: runs, and grants, until then. */
  'canceling',
  'canceled',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** Statuses of a subscription that may still take money or grant credits. */
export const LIVE_SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['active', 'past_due', 'canceling'];

export const INVOICE_STATUSES = ['paid', 'failed', 'void', 'uncollectible'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** What became of an invoice's credits. */
export const GRANT_STATUSES = ['none', 'held', 'granted', 'not_granted'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

export const SUBSCRIPTION_END_REASONS = ['stripe', 'account_deleted'] as const;
export type SubscriptionEndReason = (typeof SUBSCRIPTION_END_REASONS)[number];

/** The subscription as Stripe last described it (`customer.subscription.*`). */
export interface SubscriptionSnapshot {
  stripeSubscriptionId: string;
  customerId: string | null;
  stripeStatus: string;
  planId: PlanId | null;
  itemId: string | null;
  /** Times in ms. */
  periodStart: number | null;
  periodEnd: number | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: number | null;
  endedAt: number | null;
}

/** A subscription invoice as the workflow needs it (`invoice.*`). */
export interface InvoiceFacts {
  id: string;
  number: string | null;
  amountDue: number;
  amountPaid: number;
  currency: Currency | string;
  hostedUrl: string | null;
  /** The service period its lines bill (ms), not Stripe's usage period. */
  periodStart: number | null;
  periodEnd: number | null;
  billingReason: string | null;
  lines: InvoiceLine[];
}

interface EventBase {
  /** Stripe's event id: the workflow ignores one it has seen. */
  eventId: string;
  /** When Stripe created the event (ms): orders subscription snapshots. */
  at: number;
}
export type SubscriptionEvent = EventBase &
  (
    | { kind: 'checkout_completed'; stripeSubscriptionId: string | null; customerId: string | null }
    | { kind: 'subscription_changed' | 'subscription_ended'; snapshot: SubscriptionSnapshot }
    | {
        kind: 'invoice_paid' | 'invoice_failed' | 'invoice_void' | 'invoice_uncollectible';
        invoice: InvoiceFacts;
      }
  );
export type SubscriptionEventKind = SubscriptionEvent['kind'];

/** The platform ended the subscription itself (account deletion cancelled it at Stripe). */
export interface SubscriptionEnd {
  reason: SubscriptionEndReason;
  at: number;
}

export interface HeldGrant {
  invoiceId: string;
  credits: number;
  /** Its period's start (ms): held grants go out in the order of their periods. */
  periodStart: number | null;
}

export interface SubscriptionState {
  subscriptionId: string;
  userId: string;
  planId: PlanId;
  status: SubscriptionStatus;
  stripeSubscriptionId: string | null;
  customerId: string | null;
  itemId: string | null;
  periodStart: number | null;
  periodEnd: number | null;
  cancelAtPeriodEnd: boolean;
  /** When the subscription ends (or will): Stripe's cancel time, or the period end when cancelling there. */
  endsAt: number | null;
  endedAt: number | null;
  endReason: SubscriptionEndReason | null;
  /** Stripe's time of the snapshot applied last; an older one is ignored. */
  snapshotAt: number;
  /** Invoices whose payment failed and that are not settled yet: while any is, grants wait. */
  unpaid: string[];
  /** Paid invoices whose credits wait for the subscription to be in good standing. */
  held: HeldGrant[];
  /** Invoices settled (paid, voided, written off), most recent last: a late failure of one is ignored. */
  settled: string[];
  creditsGranted: number;
  invoicesGranted: number;
}

/** An invoice row to write: Stripe's facts, and what became of its credits. */
export interface InvoiceRecord extends InvoiceFacts {
  status: InvoiceStatus;
  credits: number;
  grant: GrantStatus;
  note: string | null;
}

export interface Grant {
  invoiceId: string;
  credits: number;
  planId: PlanId;
}

export interface Effects {
  invoices: InvoiceRecord[];
  grants: Grant[];
}

/** Settled invoice ids remembered (about four years of months): older ones are long final. */
export const SETTLED_MEMORY = 50;
/** Event ids remembered across continue-as-new, for deduplication of late redeliveries. */
export const SEEN_EVENT_MEMORY = 200;
/** Events one workflow run handles before it continues as new, keeping its history short. */
export const EVENTS_PER_RUN = 500;

export function initialSubscriptionState(input: {
  subscriptionId: string;
  userId: string;
  planId: PlanId;
}): SubscriptionState {
  return {
    subscriptionId: input.subscriptionId,
    userId: input.userId,
    planId: input.planId,
    status: 'pending',
    stripeSubscriptionId: null,
    customerId: null,
    itemId: null,
    periodStart: null,
    periodEnd: null,
    cancelAtPeriodEnd: false,
    endsAt: null,
    endedAt: null,
    endReason: null,
    snapshotAt: 0,
    unpaid: [],
    held: [],
    settled: [],
    creditsGranted: 0,
    invoicesGranted: 0,
  };
}

const remember = (list: string[], id: string, max: number) => {
  if (!list.includes(id)) list.push(id);
  if (list.length > max) list.splice(0, list.length - max);
};

function applySnapshot(state: SubscriptionState, at: number, snapshot: SubscriptionSnapshot, ended: boolean) {
  // Out of order: Stripe's older description of the subscription changes nothing.
  if (at < state.snapshotAt) return;
  state.snapshotAt = at;
  state.stripeSubscriptionId = snapshot.stripeSubscriptionId;
  state.customerId = snapshot.customerId ?? state.customerId;
  state.itemId = snapshot.itemId ?? state.itemId;
  if (snapshot.planId) state.planId = snapshot.planId;
  state.periodStart = snapshot.periodStart ?? state.periodStart;
  state.periodEnd = snapshot.periodEnd ?? state.periodEnd;
  state.cancelAtPeriodEnd = snapshot.cancelAtPeriodEnd;
  state.endsAt = snapshot.cancelAt ?? (snapshot.cancelAtPeriodEnd ? snapshot.periodEnd : null);
  if (ended) {
    state.endedAt = snapshot.endedAt ?? at;
    state.endReason ??= 'stripe';
  }
}

function record(
  invoice: InvoiceFacts,
  status: InvoiceStatus,
  rest: Partial<InvoiceRecord> = {},
): InvoiceRecord {
  return { ...invoice, status, credits: 0, grant: 'none', note: null, ...rest };
}

function applyInvoice(state: SubscriptionState, event: SubscriptionEvent, effects: Effects) {
  if (!('invoice' in event)) return;
  const { invoice } = event;
  const settled = state.settled.includes(invoice.id);
  if (event.kind === 'invoice_failed') {
    // A failure reported after the invoice was settled is history: no pause.
    if (settled) return;
    remember(state.unpaid, invoice.id, SETTLED_MEMORY);
    effects.invoices.push(record(invoice, 'failed'));
    return;
  }
  if (settled) return;
  state.unpaid = state.unpaid.filter((id) => id !== invoice.id);
  remember(state.settled, invoice.id, SETTLED_MEMORY);
  if (event.kind !== 'invoice_paid') {
    const status = event.kind === 'invoice_void' ? 'void' : 'uncollectible';
    effects.invoices.push(record(invoice, status, { note: 'not paid: no credits' }));
    return;
  }
  const credits = invoiceCredits(invoice.lines);
  if (credits === 0) {
    effects.invoices.push(record(invoice, 'paid'));
  } else if (state.endsAt !== null && invoice.periodStart !== null && invoice.periodStart >= state.endsAt) {
    effects.invoices.push(
      record(invoice, 'paid', {
        credits,
        grant: 'not_granted',
        note: 'the subscription ends before this period',
      }),
    );
  } else {
    state.held.push({ invoiceId: invoice.id, credits, periodStart: invoice.periodStart });
    effects.invoices.push(record(invoice, 'paid', { credits, grant: 'held' }));
  }
}

function deriveStatus(state: SubscriptionState): SubscriptionStatus {
  if (state.endedAt !== null) return 'canceled';
  if (state.unpaid.length > 0) return 'past_due';
  const seenInvoice = state.settled.length > 0 || state.unpaid.length > 0;
  if (state.status === 'pending' && state.stripeSubscriptionId === null && !seenInvoice) return 'pending';
  return state.cancelAtPeriodEnd || state.endsAt !== null ? 'canceling' : 'active';
}

/**
 * Folds one event into the state (in place) and returns what to write: invoice records,
 * and the grants that are due now (held ones included, once nothing is unpaid).
 */
export function applyEvent(state: SubscriptionState, event: SubscriptionEvent): Effects {
  const effects: Effects = { invoices: [], grants: [] };
  // An ended subscription takes nothing more (its workflow has returned by then).
  if (state.endedAt !== null) return effects;
  switch (event.kind) {
    case 'checkout_completed':
      state.stripeSubscriptionId ??= event.stripeSubscriptionId;
      state.customerId ??= event.customerId;
      break;
    case 'subscription_changed':
    case 'subscription_ended':
      applySnapshot(state, event.at, event.snapshot, event.kind === 'subscription_ended');
      break;
    default:
      applyInvoice(state, event, effects);
  }
  state.status = deriveStatus(state);
  releaseGrants(state, effects);
  return effects;
}

/** The platform's own end of the subscription (its cancellation at Stripe is done). */
export function applyEnd(state: SubscriptionState, end: SubscriptionEnd): Effects {
  const effects: Effects = { invoices: [], grants: [] };
  if (state.endedAt !== null) return effects;
  state.endedAt = end.at;
  state.endReason = end.reason;
  state.status = 'canceled';
  releaseGrants(state, effects);
  return effects;
}

/** Held grants go out when nothing is unpaid, or when the subscription has ended. */
function releaseGrants(state: SubscriptionState, effects: Effects) {
  if (state.held.length === 0) return;
  if (state.status === 'past_due') return;
  const due = state.held.splice(0).sort((a, b) => (a.periodStart ?? 0) - (b.periodStart ?? 0));
  for (const { invoiceId, credits } of due) {
    effects.grants.push({ invoiceId, credits, planId: state.planId });
    state.creditsGranted += credits;
    state.invoicesGranted += 1;
  }
}

/** A plan's label, for notes and the site. */
export const planLabel = (planId: PlanId | null): string => findPlan(planId)?.label ?? 'subscription';

/**
 * Invoices a page lists, newest first: two years of monthly ones; every older one, kept 7
 * years (R-PAY-7Y), is on the pages after it. And the most one page may ask.
 */
export const INVOICE_PAGE_SIZE = 24;
export const INVOICE_LIST_MAX_LIMIT = 100;
