// A subscription's rules, folded one Stripe event at a time (domain/subscription.ts), and
// the credit arithmetic behind them (domain/billing.ts). The integration tests drive the
// same rules through the workflow and Stripe's simulator; these hold each rule at its
// edge: what is granted, when, once, and what is never granted.
import { describe, expect, it } from 'vitest';
import {
  SUBSCRIPTION_PLANS,
  creditsForAmount,
  findPack,
  invoiceCredits,
  type InvoiceLine,
} from '../../domain/billing.ts';
import {
  SETTLED_MEMORY,
  applyEnd,
  applyEvent,
  initialSubscriptionState,
  planLabel,
  type InvoiceFacts,
  type SubscriptionEvent,
  type SubscriptionSnapshot,
  type SubscriptionState,
} from '../../domain/subscription.ts';

const [basic, pro] = SUBSCRIPTION_PLANS as [(typeof SUBSCRIPTION_PLANS)[0], (typeof SUBSCRIPTION_PLANS)[0]];
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

let eventNo = 0;
const base = (at: number) => ({ eventId: `evt_${++eventNo}`, at });

const month = (planId: 'basic' | 'pro' = 'basic'): InvoiceLine[] => [
  { planId, amount: planId === 'basic' ? basic.amount : pro.amount, proration: false },
];

function invoice(id: string, periodStart: number | null, lines = month()): InvoiceFacts {
  return {
    id,
    number: null,
    amountDue: lines.reduce((sum, l) => sum + l.amount, 0),
    amountPaid: 0,
    currency: 'usd',
    hostedUrl: null,
    periodStart,
    periodEnd: periodStart === null ? null : periodStart + 30 * DAY,
    billingReason: 'subscription_cycle',
    lines,
  };
}

const paid = (inv: InvoiceFacts, at = T0): SubscriptionEvent => ({
  ...base(at),
  kind: 'invoice_paid',
  invoice: inv,
});
const failed = (inv: InvoiceFacts, at = T0): SubscriptionEvent => ({
  ...base(at),
  kind: 'invoice_failed',
  invoice: inv,
});

function snapshot(rest: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot {
  return {
    stripeSubscriptionId: 'sub_1',
    customerId: 'cus_1',
    stripeStatus: 'active',
    planId: 'basic',
    itemId: 'si_1',
    periodStart: T0,
    periodEnd: T0 + 30 * DAY,
    cancelAtPeriodEnd: false,
    cancelAt: null,
    endedAt: null,
    ...rest,
  };
}
const changed = (at: number, rest: Partial<SubscriptionSnapshot> = {}): SubscriptionEvent => ({
  ...base(at),
  kind: 'subscription_changed',
  snapshot: snapshot(rest),
});

function subscribed(): SubscriptionState {
  const state = initialSubscriptionState({ subscriptionId: 's1', userId: 'u1', planId: 'basic' });
  applyEvent(state, {
    ...base(T0),
    kind: 'checkout_completed',
    stripeSubscriptionId: 'sub_1',
    customerId: 'cus_1',
  });
  return state;
}

describe("a paid invoice's credits [D-SUBSCRIPTION]", () => {
  it("a month's invoice is worth its plan's credits, and rounds to whole credits", () => {
    expect(invoiceCredits(month('basic'))).toBe(basic.credits);
    expect(invoiceCredits(month('pro'))).toBe(pro.credits);
    // 400 credits for 1,500 cents: 2 cents are worth 0.53 of a credit (1), 1 cent 0.27 (0).
    expect(invoiceCredits([{ planId: 'basic', amount: 2, proration: true }])).toBe(1);
    expect(invoiceCredits([{ planId: 'basic', amount: 1, proration: true }])).toBe(0);
    // Summed before rounding: three lines of 0.27 make 0.8, one credit.
    expect(
      invoiceCredits(
        Array.from({ length: 3 }, () => ({ planId: 'basic' as const, amount: 1, proration: true })),
      ),
    ).toBe(1);
  });

  it("an upgrade's proration gives the difference; a downgrade's, and an unknown plan's line, give nothing", () => {
    const upgrade: InvoiceLine[] = [
      { planId: 'pro', amount: pro.amount / 2, proration: true },
      { planId: 'basic', amount: -basic.amount / 2, proration: true },
    ];
    expect(invoiceCredits(upgrade)).toBe((pro.credits - basic.credits) / 2);
    const downgrade: InvoiceLine[] = [
      { planId: 'basic', amount: basic.amount / 2, proration: true },
      { planId: 'pro', amount: -pro.amount / 2, proration: true },
    ];
    expect(invoiceCredits(downgrade)).toBe(0);
    expect(invoiceCredits([{ planId: null, amount: 5000, proration: false }])).toBe(0);
    expect(invoiceCredits([])).toBe(0);
  });

  it('a refund or dispute takes back the same share of the credits, never more than were bought', () => {
    expect(creditsForAmount(500, 2000, 2000)).toBe(500);
    expect(creditsForAmount(500, 2000, 1000)).toBe(250);
    // 500 * 3 / 2000 = 0.75: rounded to 1.
    expect(creditsForAmount(500, 2000, 3)).toBe(1);
    expect(creditsForAmount(500, 2000, 5000)).toBe(500);
    expect(creditsForAmount(500, 0, 100)).toBe(0);
    expect(creditsForAmount(500, 2000, 0)).toBe(0);
    expect(creditsForAmount(500, 2000, -100)).toBe(0);
  });
});

describe('packs and plans by name', () => {
  it('finds a pack and a plan by id, and nothing for another', () => {
    expect(findPack('creator')).toMatchObject({ credits: 500, amount: 2000 });
    expect(findPack('platinum')).toBeUndefined();
    expect(planLabel('pro')).toBe('Pro');
    expect(planLabel(null)).toBe('subscription');
  });
});

describe('a subscription folded one event at a time [D-SUBSCRIPTION]', () => {
  it('is pending until Stripe names it, then active; a paid invoice is granted once, replayed or not', () => {
    const state = initialSubscriptionState({ subscriptionId: 's1', userId: 'u1', planId: 'basic' });
    expect(applyEvent(state, changed(T0 - 1, { stripeSubscriptionId: 'sub_1' })).grants).toEqual([]);
    expect(state.status).toBe('active');

    const fresh = initialSubscriptionState({ subscriptionId: 's2', userId: 'u1', planId: 'basic' });
    applyEvent(fresh, {
      ...base(T0),
      kind: 'checkout_completed',
      stripeSubscriptionId: null,
      customerId: null,
    });
    expect(fresh.status).toBe('pending');

    const s = subscribed();
    expect(s.status).toBe('active');
    const first = applyEvent(s, paid(invoice('in_1', T0)));
    expect(first.grants).toEqual([{ invoiceId: 'in_1', credits: basic.credits, planId: 'basic' }]);
    expect(first.invoices).toMatchObject([
      { id: 'in_1', status: 'paid', credits: basic.credits, grant: 'held' },
    ]);
    // Stripe sends it again: nothing granted, nothing recorded.
    expect(applyEvent(s, paid(invoice('in_1', T0)))).toEqual({ invoices: [], grants: [] });
    expect(s).toMatchObject({ creditsGranted: basic.credits, invoicesGranted: 1 });
  });

  it('checkout names the subscription and its customer once; an invoice seen first makes it active', () => {
    const s = subscribed();
    expect(s).toMatchObject({ stripeSubscriptionId: 'sub_1', customerId: 'cus_1' });
    applyEvent(s, {
      ...base(T0),
      kind: 'checkout_completed',
      stripeSubscriptionId: 'sub_2',
      customerId: 'cus_2',
    });
    expect(s).toMatchObject({ stripeSubscriptionId: 'sub_1', customerId: 'cus_1' });

    const early = initialSubscriptionState({ subscriptionId: 's3', userId: 'u1', planId: 'basic' });
    applyEvent(early, paid(invoice('in_1', T0)));
    expect(early.status).toBe('active');
  });

  it('an invoice worth nothing is recorded paid, with nothing held', () => {
    const s = subscribed();
    const effects = applyEvent(s, paid(invoice('in_0', T0, [])));
    expect(effects.invoices).toMatchObject([{ status: 'paid', credits: 0, grant: 'none' }]);
    expect(effects.grants).toEqual([]);
    expect(s.held).toEqual([]);
  });

  it('past due holds every paid invoice, and gives them in period order once the last unpaid one is paid', () => {
    const s = subscribed();
    expect(applyEvent(s, failed(invoice('in_1', T0))).invoices).toMatchObject([
      { id: 'in_1', status: 'failed' },
    ]);
    expect(s.status).toBe('past_due');
    // Stripe's next retry fails too: still one invoice unpaid.
    applyEvent(s, failed(invoice('in_1', T0 + DAY)));
    expect(s.unpaid).toEqual(['in_1']);
    applyEvent(s, failed(invoice('in_2', T0 + 30 * DAY)));
    // A later period paid first, then an earlier one: both wait.
    expect(applyEvent(s, paid(invoice('in_4', T0 + 90 * DAY))).grants).toEqual([]);
    expect(applyEvent(s, paid(invoice('in_3', T0 + 60 * DAY))).grants).toEqual([]);
    expect(s.held.map((h) => h.invoiceId)).toEqual(['in_4', 'in_3']);
    // One unpaid invoice paid: the other still holds everything.
    expect(applyEvent(s, paid(invoice('in_1', T0))).grants).toEqual([]);
    expect(s.status).toBe('past_due');
    const settled = applyEvent(s, paid(invoice('in_2', T0 + 30 * DAY)));
    expect(s.status).toBe('active');
    expect(settled.grants.map((g) => g.invoiceId)).toEqual(['in_1', 'in_2', 'in_3', 'in_4']);
    expect(s).toMatchObject({ creditsGranted: 4 * basic.credits, invoicesGranted: 4, held: [], unpaid: [] });
  });

  it('an unpaid invoice voided or written off ends the pause, and grants nothing of its own', () => {
    for (const kind of ['invoice_void', 'invoice_uncollectible'] as const) {
      const s = subscribed();
      applyEvent(s, failed(invoice('in_1', T0)));
      applyEvent(s, paid(invoice('in_2', T0 + 30 * DAY)));
      const effects = applyEvent(s, { ...base(T0), kind, invoice: invoice('in_1', T0) });
      expect(effects.invoices).toMatchObject([
        {
          id: 'in_1',
          status: kind === 'invoice_void' ? 'void' : 'uncollectible',
          credits: 0,
          grant: 'none',
          note: 'not paid: no credits',
        },
      ]);
      expect(effects.grants.map((g) => g.invoiceId)).toEqual(['in_2']);
      expect(s.status).toBe('active');
      // Settled: paid later all the same, it grants nothing.
      expect(applyEvent(s, paid(invoice('in_1', T0))).grants).toEqual([]);
    }
  });

  it('a failure reported after the invoice was paid changes nothing', () => {
    const s = subscribed();
    applyEvent(s, paid(invoice('in_1', T0)));
    expect(applyEvent(s, failed(invoice('in_1', T0)))).toEqual({ invoices: [], grants: [] });
    expect(s.status).toBe('active');
    expect(s.unpaid).toEqual([]);
  });

  it('cancelled at period end: canceling, and an invoice for a period from the end on grants nothing', () => {
    const s = subscribed();
    const end = T0 + 30 * DAY;
    applyEvent(s, changed(T0 + 1, { cancelAtPeriodEnd: true, periodEnd: end }));
    expect(s).toMatchObject({ status: 'canceling', endsAt: end });
    const after = applyEvent(s, paid(invoice('in_next', end)));
    expect(after.invoices).toMatchObject([
      { grant: 'not_granted', credits: basic.credits, note: 'the subscription ends before this period' },
    ]);
    expect(after.grants).toEqual([]);
    // One for a period that starts before the end is granted.
    expect(applyEvent(s, paid(invoice('in_last', end - 1))).grants).toHaveLength(1);
  });

  it("Stripe's cancel time, when it gives one, is the end", () => {
    const s = subscribed();
    const cancelAt = T0 + 10 * DAY;
    applyEvent(s, changed(T0 + 1, { cancelAt }));
    expect(s).toMatchObject({ status: 'canceling', endsAt: cancelAt });
    // Resumed: active again, no end.
    applyEvent(s, changed(T0 + 2));
    expect(s).toMatchObject({ status: 'active', endsAt: null, cancelAtPeriodEnd: false });
  });

  it("Stripe's older description of the subscription, arriving late, changes nothing", () => {
    const s = subscribed();
    applyEvent(s, changed(T0 + 10, { planId: 'pro', cancelAtPeriodEnd: true }));
    applyEvent(s, changed(T0 + 5, { planId: 'basic', cancelAtPeriodEnd: false }));
    expect(s).toMatchObject({ planId: 'pro', status: 'canceling', snapshotAt: T0 + 10 });
    // One of the same moment is applied.
    applyEvent(s, changed(T0 + 10, { planId: 'basic', cancelAtPeriodEnd: false }));
    expect(s).toMatchObject({ planId: 'basic', status: 'active' });
  });

  it('a snapshot without a plan, period or item keeps those it had', () => {
    const s = subscribed();
    applyEvent(s, changed(T0 + 1, { planId: 'pro', itemId: 'si_9' }));
    applyEvent(
      s,
      changed(T0 + 2, { planId: null, itemId: null, periodStart: null, periodEnd: null, customerId: null }),
    );
    expect(s).toMatchObject({
      planId: 'pro',
      itemId: 'si_9',
      periodStart: T0,
      periodEnd: T0 + 30 * DAY,
      customerId: 'cus_1',
    });
  });

  it('ended by Stripe while past due: the paid invoices held are granted (they were paid), and nothing after', () => {
    const s = subscribed();
    applyEvent(s, failed(invoice('in_1', T0)));
    applyEvent(s, paid(invoice('in_2', T0 + 30 * DAY)));
    const endedAt = T0 + 40 * DAY;
    const ended = applyEvent(s, {
      ...base(endedAt),
      kind: 'subscription_ended',
      snapshot: snapshot({ stripeStatus: 'canceled', endedAt }),
    });
    expect(ended.grants.map((g) => g.invoiceId)).toEqual(['in_2']);
    expect(s).toMatchObject({ status: 'canceled', endedAt, endReason: 'stripe' });
    expect(applyEvent(s, paid(invoice('in_3', T0 + 60 * DAY)))).toEqual({ invoices: [], grants: [] });
  });

  it('ended by Stripe without an end time: the event time is the end', () => {
    const s = subscribed();
    applyEvent(s, { ...base(T0 + 5), kind: 'subscription_ended', snapshot: snapshot({ endedAt: null }) });
    expect(s).toMatchObject({ status: 'canceled', endedAt: T0 + 5 });
  });

  it("ended by the platform (the account's deletion): canceled, held grants out, once", () => {
    const s = subscribed();
    applyEvent(s, failed(invoice('in_1', T0)));
    applyEvent(s, paid(invoice('in_2', T0 + 30 * DAY)));
    const end = applyEnd(s, { reason: 'account_deleted', at: T0 + 35 * DAY });
    expect(end.grants.map((g) => g.invoiceId)).toEqual(['in_2']);
    expect(s).toMatchObject({ status: 'canceled', endReason: 'account_deleted', endedAt: T0 + 35 * DAY });
    expect(applyEnd(s, { reason: 'stripe', at: T0 + 36 * DAY })).toEqual({ invoices: [], grants: [] });
    expect(s.endReason).toBe('account_deleted');
  });

  it(`remembers the last ${SETTLED_MEMORY} settled invoices, most recent last`, () => {
    const s = subscribed();
    for (let i = 0; i <= SETTLED_MEMORY; i++) applyEvent(s, paid(invoice(`in_${i}`, T0 + i * DAY)));
    expect(s.settled).toHaveLength(SETTLED_MEMORY);
    expect(s.settled[0]).toBe('in_1');
    expect(s.settled.at(-1)).toBe(`in_${SETTLED_MEMORY}`);
  });
});
