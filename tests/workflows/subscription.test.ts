// The subscription workflow (workflows/subscription.ts) with its one activity stubbed:
// grants per paid invoice, once (D-SUBSCRIPTION); the pause while past due and the
// resume; events out of order and replayed; cancellation at period end; a prorated
// upgrade; the account deletion's end (D-ERASE); a run continued as new.
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { SubscriptionRecord } from '../../activities/subscription/records.ts';
import { findPlan } from '../../domain/billing.ts';
import { initialSubscriptionState, type SubscriptionEvent } from '../../domain/subscription.ts';
import {
  endSignal,
  stateQuery,
  stripeEventSignal,
  subscriptionWorkflow,
  type SubscriptionInput,
} from '../../workflows/subscription.ts';
import { events, invoice, period, snapshot } from '../support/subscription-events.ts';
import { withWorkflowEnv, type WorkflowRun } from '../support/workflow-env.ts';

const wf = withWorkflowEnv();
const basic = findPlan('basic')!;
const pro = findPlan('pro')!;

type Run = WorkflowRun<typeof subscriptionWorkflow>;

function input(): SubscriptionInput {
  return { subscriptionId: randomUUID(), userId: randomUUID(), planId: 'basic' };
}

async function start(args = input()): Promise<Run> {
  return wf.start(subscriptionWorkflow, {
    args: [args],
    activities: { recordSubscription: async (r: SubscriptionRecord) => ({ granted: r.grants.length }) },
  });
}

const records = (run: Run) => run.callsTo('recordSubscription').map(([r]) => r);
const grants = (run: Run) => records(run).flatMap((r) => r.grants);
const lastRow = (run: Run) => records(run).at(-1)?.row;
const invoiceRecords = (run: Run) => records(run).flatMap((r) => r.invoices);

async function send(run: Run, ...list: SubscriptionEvent[]) {
  for (const event of list) await run.handle.signal(stripeEventSignal, event);
}
const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 20 });

describe('grants', () => {
  it('[D-SUBSCRIPTION] grants each paid period’s credits once: three paid invoices, three grants; a replayed event grants nothing', async () => {
    const run = await start();
    const second = events.paid(invoice('in_2', period(1)));
    await send(run, events.checkoutCompleted(), events.paid(invoice('in_1', period(0))), second);
    await waitFor(() => expect(grants(run)).toHaveLength(2));
    // Stripe delivers the second invoice's event again, then the third month's.
    await send(run, second, events.paid(invoice('in_3', period(2))));
    await waitFor(() => expect(grants(run)).toHaveLength(3));

    expect(grants(run)).toEqual([
      { invoiceId: 'in_1', credits: basic.credits, planId: 'basic' },
      { invoiceId: 'in_2', credits: basic.credits, planId: 'basic' },
      { invoiceId: 'in_3', credits: basic.credits, planId: 'basic' },
    ]);
    expect(lastRow(run)).toMatchObject({ status: 'active', creditsGranted: 3 * basic.credits });
    const state = await run.handle.query(stateQuery);
    expect(state.invoicesGranted).toBe(3);
  });

  it('[D-SUBSCRIPTION] a failed payment pauses grants: an invoice paid meanwhile waits, and both are granted when the failed one is paid', async () => {
    const run = await start();
    const second = invoice('in_2', period(1));
    await send(run, events.paid(invoice('in_1', period(0))), events.failed(second));
    await waitFor(() => expect(lastRow(run)?.status).toBe('past_due'));
    expect(grants(run).map((g) => g.invoiceId)).toEqual(['in_1']);

    // The next month is paid while the second is still unpaid: held.
    await send(run, events.paid(invoice('in_3', period(2))));
    await waitFor(() =>
      expect(invoiceRecords(run)).toContainEqual(expect.objectContaining({ id: 'in_3', grant: 'held' })),
    );
    expect(grants(run)).toHaveLength(1);
    expect(lastRow(run)?.status).toBe('past_due');

    // Stripe's retry succeeds: both go out, and the subscription is active again.
    await send(run, events.paid(second));
    await waitFor(() => expect(grants(run)).toHaveLength(3));
    expect(grants(run).map((g) => g.invoiceId)).toEqual(['in_1', 'in_2', 'in_3']);
    expect(lastRow(run)).toMatchObject({ status: 'active', creditsGranted: 3 * basic.credits });
  });

  it('an invoice Stripe gives up on (voided) grants nothing and lifts the pause', async () => {
    const run = await start();
    const unpaid = invoice('in_2', period(1));
    await send(run, events.paid(invoice('in_1', period(0))), events.failed(unpaid));
    await waitFor(() => expect(lastRow(run)?.status).toBe('past_due'));
    await send(run, events.voided(unpaid), events.paid(invoice('in_3', period(2))));
    await waitFor(() => expect(grants(run)).toHaveLength(2));
    expect(grants(run).map((g) => g.invoiceId)).toEqual(['in_1', 'in_3']);
    expect(invoiceRecords(run).find((i) => i.status === 'void')).toMatchObject({
      id: 'in_2',
      grant: 'none',
    });
  });
});

describe('events out of order', () => {
  it('a failure reported after the payment does not pause, and an older snapshot does not undo a newer one', async () => {
    const run = await start();
    const first = invoice('in_1', period(0));
    const newer = events.changed(snapshot({ planId: 'pro' }));
    const older = events.changed(snapshot({ planId: 'basic', stripeStatus: 'past_due' }), newer.at - 5000);
    await send(run, events.paid(first), newer, events.failed(first), older);
    await send(run, events.paid(invoice('in_2', period(1), 'pro')));
    await waitFor(() => expect(grants(run)).toHaveLength(2));
    expect(lastRow(run)).toMatchObject({ status: 'active', planId: 'pro' });
    expect(grants(run).map((g) => g.credits)).toEqual([basic.credits, pro.credits]);
  });
});

describe('cancellation and the end', () => {
  it('[D-SUBSCRIPTION] cancel at period end: the period paid for is granted, a later one is not, and the workflow ends when Stripe ends the subscription', async () => {
    const run = await start();
    await send(run, events.paid(invoice('in_1', period(0))));
    await send(run, events.changed(snapshot({ cancelAtPeriodEnd: true })));
    await waitFor(() => expect(lastRow(run)?.status).toBe('canceling'));
    expect(lastRow(run)?.endsAt).toBe(period(0).end);
    // A renewal invoice that raced the cancellation: its period starts when the subscription ends.
    await send(run, events.paid(invoice('in_2', period(1))));
    await send(run, events.ended(snapshot({ cancelAtPeriodEnd: true, endedAt: period(0).end })));

    const final = await run.result();
    expect(final).toMatchObject({ status: 'canceled', endReason: 'stripe', endedAt: period(0).end });
    expect(grants(run).map((g) => g.invoiceId)).toEqual(['in_1']);
    expect(invoiceRecords(run).find((i) => i.id === 'in_2')).toMatchObject({
      grant: 'not_granted',
      credits: basic.credits,
    });
    expect(lastRow(run)).toMatchObject({ status: 'canceled', endedAt: period(0).end });
  });

  it('[D-ERASE] the account deletion’s end finishes the workflow at once, granting what was paid and held', async () => {
    const run = await start();
    await send(run, events.paid(invoice('in_1', period(0))), events.failed(invoice('in_2', period(1))));
    await send(run, events.paid(invoice('in_3', period(2))));
    await waitFor(() =>
      expect(invoiceRecords(run)).toContainEqual(expect.objectContaining({ id: 'in_3', grant: 'held' })),
    );
    await run.handle.signal(endSignal, { reason: 'account_deleted', at: period(2).start });
    const final = await run.result();
    expect(final).toMatchObject({ status: 'canceled', endReason: 'account_deleted' });
    expect(grants(run).map((g) => g.invoiceId)).toEqual(['in_1', 'in_3']);
  });
});

describe('plan changes', () => {
  it('an upgrade’s proration invoice grants the prorated difference; later months the new plan’s credits', async () => {
    const run = await start();
    await send(run, events.paid(invoice('in_1', period(0))));
    // Half-way through the month: pro for the remaining half, less basic's unused half.
    await send(run, events.changed(snapshot({ planId: 'pro' })));
    const proration = invoice('in_up', period(0), 'pro', {
      billingReason: 'subscription_update',
      lines: [
        { planId: 'pro', amount: pro.amount / 2, proration: true },
        { planId: 'basic', amount: -basic.amount / 2, proration: true },
      ],
    });
    await send(run, events.paid(proration), events.paid(invoice('in_2', period(1), 'pro')));
    await waitFor(() => expect(grants(run)).toHaveLength(3));
    expect(grants(run)).toEqual([
      { invoiceId: 'in_1', credits: basic.credits, planId: 'basic' },
      { invoiceId: 'in_up', credits: (pro.credits - basic.credits) / 2, planId: 'pro' },
      { invoiceId: 'in_2', credits: pro.credits, planId: 'pro' },
    ]);
  });

  it('a downgrade’s proration invoice grants nothing', async () => {
    const run = await start({ ...input(), planId: 'pro' });
    const down = invoice('in_down', period(0), 'basic', {
      lines: [
        { planId: 'basic', amount: basic.amount / 2, proration: true },
        { planId: 'pro', amount: -pro.amount / 2, proration: true },
      ],
    });
    await send(run, events.changed(snapshot({ planId: 'basic' })), events.paid(down));
    await send(run, events.paid(invoice('in_2', period(1))));
    await waitFor(() => expect(grants(run)).toHaveLength(1));
    expect(grants(run)).toEqual([{ invoiceId: 'in_2', credits: basic.credits, planId: 'basic' }]);
  });
});

describe('a long life', () => {
  it('a run continued as new keeps its state and still ignores the events it has seen', async () => {
    const args = input();
    const seenEvent = events.paid(invoice('in_1', period(0)));
    // The invoice is not among those it remembers as settled: only the event id stops it.
    const state = { ...initialSubscriptionState(args), status: 'active' as const };
    const run = await start({ ...args, carried: { state, seen: [seenEvent.eventId] } });
    await send(run, seenEvent, events.paid(invoice('in_2', period(1))));
    await waitFor(() => expect(grants(run)).toHaveLength(1));
    expect(grants(run)[0]?.invoiceId).toBe('in_2');
  });
});
