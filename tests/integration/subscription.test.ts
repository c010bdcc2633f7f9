// Subscriptions end to end (D-SUBSCRIPTION): Checkout in subscription mode, the customer
// portal, the cancellation and a plan change go to stripe-mock (the calls must succeed);
// Stripe's events are signed test events posted to the webhook, which the subscription's
// workflow (`subscription-<id>`) turns into grants, invoices and the row the site reads.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Asset,
  AuditEvent,
  DeletionCertificate,
  Invoice,
  SupportTicket,
  Subscription,
} from '../../db/entities/index.ts';
import { findPlan } from '../../domain/billing.ts';
import { subscriptionOverview } from '../../domain/contracts/subscription.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { creditBalance } from '../../stores/billing.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { StripeSubscription, delivered, deliver } from '../support/stripe.ts';
import { readArchive, requestAndVerify, waitForRequestStatus } from './rights-request.support.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();
const basic = findPlan('basic')!;
const pro = findPlan('pro')!;
const eventually = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 20_000, interval: 100 });

/** A creator who went through Checkout for a plan: the subscription row and its Stripe ids. */
async function subscribed(
  plan: 'basic' | 'pro' = 'basic',
): Promise<TestAccount & { sub: StripeSubscription }> {
  const account = await signedIn(platform);
  const res = await account.client.post('/api/billing/subscription', { planId: plan });
  expect(res.status).toBe(201);
  const { sessionId, url } = await json(res);
  expect(url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
  const row = await em().findOneOrFail(Subscription, { checkoutSessionId: sessionId });
  expect(row).toMatchObject({ user: account.user.id, planId: plan, status: 'pending' });
  return { ...account, sub: new StripeSubscription(platform, row.id, sessionId, plan) };
}

const row = (sub: StripeSubscription) => em().findOneOrFail(Subscription, { id: sub.subscriptionId });
const balanceOf = (account: TestAccount) => creditBalance(em(), account.user.id);

/** Waits until the workflow has handled everything delivered before `marker` (signals keep their order). */
async function settled(sub: StripeSubscription, markerPeriod: number) {
  expect(await delivered(platform, sub.subscription('updated', markerPeriod))).toBe('forwarded');
  const end = new Date(sub.period(markerPeriod).end * 1000);
  await eventually(async () => expect((await row(sub)).currentPeriodEnd).toEqual(end));
}

describe('subscribing', () => {
  it('[D-SUBSCRIPTION] three paid invoices grant credits three times; a replayed event grants nothing', async () => {
    const account = await subscribed();
    const { sub } = account;
    expect(await delivered(platform, sub.checkoutCompleted())).toBe('forwarded');
    expect(await delivered(platform, sub.subscription('created', 0))).toBe('forwarded');
    const second = sub.invoice('paid', 'in_two_' + sub.subscriptionId.slice(0, 8), 1);
    for (const event of [sub.invoice('paid', `in_one_${sub.subscriptionId.slice(0, 8)}`, 0), second]) {
      expect(await delivered(platform, event)).toBe('forwarded');
    }
    // The same delivery again: the webhook knows the event.
    expect(await delivered(platform, second)).toBe('duplicate');
    // The same invoice in a new event (Stripe may report a payment twice): the workflow knows the invoice.
    expect(await delivered(platform, { ...second, id: `${second.id}_again` })).toBe('forwarded');
    await delivered(platform, sub.invoice('paid', `in_three_${sub.subscriptionId.slice(0, 8)}`, 2));
    await settled(sub, 2);

    expect(await balanceOf(account)).toBe(3 * basic.credits);
    const ledger = await em().execute<{ kind: string; credits: number; reference: string }[]>(
      `select kind, credits, reference from credit_ledger where user_id = ? and kind = 'subscription' order by id`,
      [account.user.id],
    );
    expect(ledger.map((e) => e.credits)).toEqual([basic.credits, basic.credits, basic.credits]);
    expect(await row(sub)).toMatchObject({
      status: 'active',
      stripeSubscriptionId: sub.stripeId,
      stripeCustomerId: sub.customerId,
      creditsGranted: 3 * basic.credits,
    });
    // The person sees it: status, every invoice with Stripe's page, what each granted.
    const overview = subscriptionOverview.parse(
      await json(await account.client.get('/api/billing/subscription')),
    );
    expect(overview.subscription).toMatchObject({
      status: 'active',
      plan: { id: 'basic' },
      creditsGranted: 1200,
    });
    expect(overview.invoices).toHaveLength(3);
    for (const invoice of overview.invoices) {
      expect(invoice).toMatchObject({ status: 'paid', grant: 'granted', credits: basic.credits });
      expect(invoice.hostedInvoiceUrl).toMatch(/^https:\/\/invoice\.stripe\.com\/i\//);
    }
  });

  it('[D-SUBSCRIPTION] a failed payment pauses grants and a later success resumes them', async () => {
    const account = await subscribed();
    const { sub } = account;
    const tag = sub.subscriptionId.slice(0, 8);
    await delivered(platform, sub.checkoutCompleted());
    await delivered(platform, sub.invoice('paid', `in_a_${tag}`, 0));
    await delivered(platform, sub.invoice('payment_failed', `in_b_${tag}`, 1));
    await eventually(async () => expect((await row(sub)).status).toBe('past_due'));
    // The next month is paid while the failed one is not: nothing granted, it waits.
    await delivered(platform, sub.invoice('paid', `in_c_${tag}`, 2));
    await eventually(async () =>
      expect((await em().findOneOrFail(Invoice, { id: `in_c_${tag}` })).grant).toBe('held'),
    );
    expect(await balanceOf(account)).toBe(basic.credits);
    // Stripe's retry of the card succeeds: both months' credits arrive.
    await delivered(platform, sub.invoice('paid', `in_b_${tag}`, 1));
    await eventually(async () => expect(await balanceOf(account)).toBe(3 * basic.credits));
    expect((await row(sub)).status).toBe('active');
  });

  it('[D-SUBSCRIPTION] events out of order change nothing twice: a late failure of a paid invoice and an older snapshot are ignored', async () => {
    const account = await subscribed();
    const { sub } = account;
    const tag = sub.subscriptionId.slice(0, 8);
    const failedFirst = sub.invoice('payment_failed', `in_x_${tag}`, 0);
    const older = sub.subscription('updated', 0, { status: 'past_due' });
    // The invoice was paid (Stripe retried) before the earlier failure's event arrived;
    // the invoice arrives before Checkout's event; a snapshot made earlier arrives last.
    await delivered(platform, sub.invoice('paid', `in_x_${tag}`, 0));
    await delivered(platform, sub.subscription('updated', 1, { plan: 'pro' }));
    await delivered(platform, failedFirst);
    await delivered(platform, sub.checkoutCompleted());
    await delivered(platform, older);
    await delivered(
      platform,
      sub.invoice('paid', `in_y_${tag}`, 1, [{ plan: 'pro', amount: pro.amount, proration: false }]),
    );
    await eventually(async () => expect(await balanceOf(account)).toBe(basic.credits + pro.credits));
    expect(await row(sub)).toMatchObject({ status: 'active', planId: 'pro' });
  });
});

describe('managing a subscription', () => {
  it('[D-SUBSCRIPTION] Stripe’s customer portal opens for a subscriber, and not for someone without a billing account', async () => {
    const account = await subscribed();
    await delivered(platform, account.sub.checkoutCompleted());
    await eventually(async () =>
      expect((await row(account.sub)).stripeCustomerId).toBe(account.sub.customerId),
    );
    const res = await account.client.post('/api/billing/portal', {});
    expect(res.status).toBe(200);
    expect((await json(res)).url).toMatch(/^https:\/\//);
    const stranger = await signedIn(platform);
    const refused = await stranger.client.post('/api/billing/portal', {});
    expect(refused.status).toBe(409);
    expect((await json(refused)).error.code).toBe('no_subscription');
  });

  it('[D-SUBSCRIPTION] cancel at period end from the site stops the next grant, and the workflow ends cleanly', async () => {
    const account = await subscribed();
    const { sub } = account;
    const tag = sub.subscriptionId.slice(0, 8);
    await delivered(platform, sub.checkoutCompleted());
    await delivered(platform, sub.subscription('created', 0));
    await delivered(platform, sub.invoice('paid', `in_p_${tag}`, 0));
    await eventually(async () => expect(await balanceOf(account)).toBe(basic.credits));

    const cancel = await account.client.post('/api/billing/subscription/cancel', {});
    expect(cancel.status).toBe(200);
    expect((await json(cancel)).cancelRequestedAt).toBeTruthy();
    // Stripe confirms: cancelled at the period's end.
    await delivered(platform, sub.subscription('updated', 0, { cancelAtPeriodEnd: true }));
    await eventually(async () => expect((await row(sub)).status).toBe('canceling'));
    // An invoice for the period after the end (a renewal that raced the cancellation): no credits.
    await delivered(platform, sub.invoice('paid', `in_q_${tag}`, 1));
    await eventually(async () =>
      expect(await em().findOneOrFail(Invoice, { id: `in_q_${tag}` })).toMatchObject({
        grant: 'not_granted',
      }),
    );
    await delivered(platform, sub.subscription('deleted', 0, { cancelAtPeriodEnd: true }));
    const handle = platform.clients.temporal.client.workflow.getHandle(
      workflowIds.subscription(sub.subscriptionId),
    );
    const final = await handle.result();
    expect(final).toMatchObject({ status: 'canceled', endReason: 'stripe' });
    expect(await row(sub)).toMatchObject({ status: 'canceled', endReason: 'stripe' });
    // After the end, a late event changes nothing and starts nothing.
    expect(await delivered(platform, sub.invoice('paid', `in_r_${tag}`, 2))).toBe('ended');
    expect(await balanceOf(account)).toBe(basic.credits);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('[D-SUBSCRIPTION] a plan change goes to Stripe with proration; the upgrade’s invoice grants the prorated difference', async () => {
    const account = await subscribed();
    const { sub } = account;
    const tag = sub.subscriptionId.slice(0, 8);
    await delivered(platform, sub.checkoutCompleted());
    await delivered(platform, sub.subscription('created', 0));
    await delivered(platform, sub.invoice('paid', `in_m_${tag}`, 0));
    await eventually(async () => expect((await row(sub)).stripeItemId).toBe(sub.itemId));

    const change = await account.client.post('/api/billing/subscription/plan', { planId: 'pro' });
    expect(change.status).toBe(200);
    await delivered(platform, sub.subscription('updated', 0, { plan: 'pro' }));
    await delivered(
      platform,
      sub.invoice('paid', `in_u_${tag}`, 0, [
        { plan: 'pro', amount: pro.amount / 2, proration: true },
        { plan: 'basic', amount: -basic.amount / 2, proration: true },
      ]),
    );
    await eventually(async () =>
      expect(await balanceOf(account)).toBe(basic.credits + (pro.credits - basic.credits) / 2),
    );
    expect((await row(sub)).planId).toBe('pro');
  });

  it('refuses a second subscription while one runs, and an unknown plan', async () => {
    const account = await subscribed();
    await delivered(platform, account.sub.checkoutCompleted());
    await delivered(platform, account.sub.subscription('created', 0));
    await eventually(async () => expect((await row(account.sub)).status).toBe('active'));
    const again = await account.client.post('/api/billing/subscription', { planId: 'pro' });
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe('subscription_exists');
    expect((await account.client.post('/api/billing/subscription', { planId: 'gold' })).status).toBe(400);
  });

  it('a forged event is refused and reaches no workflow', async () => {
    const account = await subscribed();
    const res = await deliver(platform, account.sub.checkoutCompleted(), 'whsec_not_the_real_secret_000000');
    expect(res.status).toBe(400);
    expect((await row(account.sub)).status).toBe('pending');
  });
});

describe('the person’s billing data', () => {
  it('[D-SUBSCRIPTION] [D-ACCESS] the access export carries the subscription, its invoices with Stripe’s pages, the purchase history and the support tickets', async () => {
    const account = await subscribed();
    const { sub } = account;
    const tag = sub.subscriptionId.slice(0, 8);
    await delivered(platform, sub.checkoutCompleted());
    await delivered(platform, sub.invoice('paid', `in_e_${tag}`, 0));
    await eventually(async () => expect(await balanceOf(account)).toBe(basic.credits));
    const { sessionId } = await json(
      await account.client.post('/api/billing/checkout', { packId: 'starter' }),
    );
    await delivered(platform, {
      id: `evt_pack_${sessionId}`,
      object: 'event',
      type: 'checkout.session.completed',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: { id: sessionId, object: 'checkout.session', mode: 'payment', payment_status: 'paid' },
      },
    });
    await account.client.post('/api/support/tickets', { subject: 'Invoices', message: 'Where are they?' });

    const request = await requestAndVerify(account.client, account.user.email, {
      type: 'access',
      jurisdiction: 'GDPR',
    });
    const done = await waitForRequestStatus(platform, request.id, ['completed'], 120_000);
    const archive = await em().findOneOrFail(Asset, { id: done.resultAssetId! });
    const entries = new Map((await readArchive(platform, archive.objectKey)).map((e) => [e.name, e.data]));
    const data = (name: string) => JSON.parse(entries.get(`data/${name}.json`)!.toString('utf8')) as any[];
    expect(data('subscriptions')).toMatchObject([
      { id: sub.subscriptionId, plan: 'basic', status: 'active' },
    ]);
    expect(data('invoices')).toMatchObject([
      {
        id: `in_e_${tag}`,
        status: 'paid',
        credits: basic.credits,
        invoicePage: expect.stringMatching(/^https:/),
      },
    ]);
    expect(data('purchases')).toMatchObject([{ id: sessionId, pack: 'starter', status: 'paid' }]);
    expect(data('support-tickets')).toMatchObject([{ subject: 'Invoices', status: 'open' }]);
    expect(data('support-messages')).toMatchObject([{ from: 'creator', message: 'Where are they?' }]);
    expect(entries.get('README.txt')?.toString() ?? '').toContain('Your subscriptions');
  }, 180_000);
});

describe('account deletion', () => {
  it('[D-SUBSCRIPTION] [D-ERASE] cancels the subscription at Stripe before anything is erased, and the certificate says so', async () => {
    const account = await subscribed();
    const { sub } = account;
    const tag = sub.subscriptionId.slice(0, 8);
    await delivered(platform, sub.checkoutCompleted());
    await delivered(platform, sub.subscription('created', 0));
    await delivered(platform, sub.invoice('paid', `in_d_${tag}`, 0));
    await eventually(async () => expect((await row(sub)).status).toBe('active'));
    const ticket = await json(
      await account.client.post('/api/support/tickets', { subject: 'Before I go', message: 'Thanks!' }),
    );
    const cancel = vi.spyOn(platform.clients.stripe.subscriptions, 'cancel');
    try {
      const deletion = await requestAndVerify(account.client, account.user.email, {
        type: 'deletion',
        jurisdiction: 'GDPR',
      });
      await waitForRequestStatus(platform, deletion.id, ['completed'], 120_000);
      // Stripe was asked to cancel this subscription, once, and it answered (stripe-mock).
      expect(cancel.mock.calls.filter(([id]) => id === sub.stripeId)).toHaveLength(1);
      await expect(cancel.mock.results[0]!.value).resolves.toMatchObject({ object: 'subscription' });

      // Before anything was erased: the cancellation's audit event precedes the first erasure's.
      const at = async (action: string, where: Record<string, unknown>) =>
        (await em().findOneOrFail(AuditEvent, { action, ...where })).occurredAt.getTime();
      const cancelled = await at('billing.subscription_cancelled', { targetId: sub.subscriptionId });
      expect(cancelled).toBeLessThanOrEqual(
        await at('privacy.account_suspended', { subjectPseudonym: account.user.pseudonym }),
      );
      expect(cancelled).toBeLessThan(await at('privacy.rows_erased', { targetId: deletion.id }));

      // Its workflow ended; the row is kept 7 years, without the person (R-PAY-7Y).
      const handle = platform.clients.temporal.client.workflow.getHandle(
        workflowIds.subscription(sub.subscriptionId),
      );
      expect(await handle.result()).toMatchObject({ status: 'canceled', endReason: 'account_deleted' });
      expect(await row(sub)).toMatchObject({ status: 'canceled', endReason: 'account_deleted', user: null });
      expect((await em().findOneOrFail(Invoice, { id: `in_d_${tag}` })).user).toBeNull();
      // Stripe's own confirmation arriving afterwards changes nothing.
      expect(await delivered(platform, sub.subscription('deleted', 0))).toBe('ended');

      // The certificate says so; the support ticket was erased with the account.
      const certificate = await em().findOneOrFail(DeletionCertificate, { requestId: deletion.id });
      expect(certificate.contents.subscriptionsCancelled).toEqual({
        beforeErasure: true,
        subscriptions: [
          expect.objectContaining({ subscriptionId: sub.subscriptionId, atStripe: 'subscription_cancelled' }),
        ],
      });
      expect((certificate.contents.erasedRows as Record<string, number>).supportTickets).toBe(1);
      expect(await em().count(SupportTicket, { id: ticket.id })).toBe(0);
    } finally {
      cancel.mockRestore();
    }
  }, 180_000);
});
