// Refunds and disputes (charge.refunded, charge.dispute.created / closed) as signed test
// events: each writes its own ledger entry with the reason; the balance never goes below
// zero: credits already spent are recorded as the entry's shortfall and owed, and the next
// credits the person pays for settle them first (R-NOCARD: only Stripe's ids are kept).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Subscription, User } from '../../db/entities/index.ts';
import { findPack, findPlan } from '../../domain/billing.ts';
import { creditBalance, writeLedger } from '../../stores/billing.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { StripeSubscription, chargeRefunded, delivered, dispute, stripeEvent } from '../support/stripe.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();
const starter = findPack('starter')!;
const basic = findPlan('basic')!;

/** A pack bought through Checkout and paid with `paymentIntentId`. */
async function buyPack(account: TestAccount, paymentIntentId: string): Promise<void> {
  const { sessionId } = await json(await account.client.post('/api/billing/checkout', { packId: 'starter' }));
  const completed = stripeEvent('checkout.session.completed', {
    id: sessionId,
    object: 'checkout.session',
    mode: 'payment',
    payment_status: 'paid',
    payment_intent: paymentIntentId,
  });
  expect(await delivered(platform, completed)).toBe('credited');
}

/** Spends credits the way a job does (a reservation). */
const spend = (account: TestAccount, credits: number) =>
  writeLedger(em(), { userId: account.user.id, kind: 'reserve', credits, jobId: randomUUID() });

const entries = (account: TestAccount, kinds: string[]) =>
  em().execute<{ kind: string; credits: number; amount: number; shortfall: number | null; note: string }[]>(
    `select kind, credits, amount, shortfall, note from credit_ledger where user_id = ? and kind in (?) order by id`,
    [account.user.id, kinds],
  );
const owed = async (account: TestAccount) =>
  (await em().findOneOrFail(User, { id: account.user.id })).creditsOwed;

describe('refunds', () => {
  it('a refund writes one ledger entry with the reason; credits already spent are owed, and the next pack settles them', async () => {
    const account = await signedIn(platform);
    const pi = `pi_${randomUUID().replaceAll('-', '')}`;
    await buyPack(account, pi);
    await spend(account, 70);
    expect(await creditBalance(em(), account.user.id)).toBe(30);

    const refund = chargeRefunded(pi, starter.amount, starter.amount);
    expect(await delivered(platform, refund)).toBe('reversed');
    expect(await delivered(platform, refund)).toBe('duplicate');
    // Stripe reporting the same refund in another event takes nothing more.
    expect(await delivered(platform, { ...refund, id: `${refund.id}_b` })).toBe('ignored');

    const reversals = await entries(account, ['refunded']);
    expect(reversals).toHaveLength(1);
    expect(reversals[0]).toMatchObject({ credits: 30, amount: -30, shortfall: 70 });
    expect(reversals[0]!.note).toMatch(/refunded \(requested_by_customer\).*70 already spent/);
    expect(await creditBalance(em(), account.user.id)).toBe(0);
    expect(await owed(account)).toBe(70);

    // The next credits paid for settle what is owed first.
    await buyPack(account, `pi_${randomUUID().replaceAll('-', '')}`);
    expect(await entries(account, ['owed_settled'])).toMatchObject([{ credits: 70, amount: -70 }]);
    expect(await creditBalance(em(), account.user.id)).toBe(starter.credits - 70);
    expect(await owed(account)).toBe(0);
  });

  it('partial refunds take back their share once each, whatever order Stripe delivers them in', async () => {
    const account = await signedIn(platform);
    const pi = `pi_${randomUUID().replaceAll('-', '')}`;
    await buyPack(account, pi);
    const half = starter.amount / 2;
    // Stripe reports the total refunded so far: the later total arrives first.
    expect(await delivered(platform, chargeRefunded(pi, starter.amount, 2 * half))).toBe('reversed');
    expect(await delivered(platform, chargeRefunded(pi, starter.amount, half))).toBe('ignored');
    expect((await entries(account, ['refunded'])).map((e) => e.credits)).toEqual([starter.credits]);
    expect(await creditBalance(em(), account.user.id)).toBe(0);
  });
});

describe('disputes', () => {
  async function paidSubscriber(): Promise<TestAccount & { pi: string; sub: StripeSubscription }> {
    const account = await signedIn(platform);
    const res = await account.client.post('/api/billing/subscription', { planId: 'basic' });
    const { sessionId } = await json(res);
    const row = await em().findOneOrFail(Subscription, { checkoutSessionId: sessionId });
    const sub = new StripeSubscription(platform, row.id, sessionId);
    const pi = `pi_${randomUUID().replaceAll('-', '')}`;
    const invoiceId = `in_${row.id.slice(0, 8)}`;
    // Stripe says which payment paid the invoice before it says the invoice is paid.
    expect(await delivered(platform, sub.invoicePayment(invoiceId, pi))).toBe('linked');
    await delivered(platform, sub.checkoutCompleted());
    await delivered(platform, sub.invoice('paid', invoiceId, 0));
    await vi.waitFor(async () => expect(await creditBalance(em(), account.user.id)).toBe(basic.credits), {
      timeout: 20_000,
      interval: 100,
    });
    return { ...account, pi, sub };
  }

  it('a dispute on a subscription’s invoice writes one entry taking its credits back; won, one entry gives them back', async () => {
    const account = await paidSubscriber();
    const id = `dp_${randomUUID().slice(0, 8)}`;
    expect(await delivered(platform, dispute('created', id, account.pi, basic.amount))).toBe('reversed');
    expect(await delivered(platform, dispute('created', id, account.pi, basic.amount))).toBe('ignored');
    expect(await entries(account, ['disputed'])).toMatchObject([
      { credits: basic.credits, amount: -basic.credits, shortfall: 0, note: 'payment disputed (fraudulent)' },
    ]);
    expect(await creditBalance(em(), account.user.id)).toBe(0);

    expect(await delivered(platform, dispute('closed', id, account.pi, basic.amount, 'won'))).toBe(
      'reinstated',
    );
    expect(await entries(account, ['dispute_won'])).toMatchObject([{ credits: basic.credits }]);
    expect(await creditBalance(em(), account.user.id)).toBe(basic.credits);
  });

  it('a dispute lost leaves its entry; spent credits stay owed', async () => {
    const account = await paidSubscriber();
    await spend(account, basic.credits - 100);
    const id = `dp_${randomUUID().slice(0, 8)}`;
    await delivered(platform, dispute('created', id, account.pi, basic.amount));
    expect(await entries(account, ['disputed'])).toMatchObject([
      { credits: 100, shortfall: basic.credits - 100 },
    ]);
    expect(await delivered(platform, dispute('closed', id, account.pi, basic.amount, 'lost'))).toBe(
      'ignored',
    );
    expect(await entries(account, ['dispute_won'])).toEqual([]);
    expect(await creditBalance(em(), account.user.id)).toBe(0);
    expect(await owed(account)).toBe(basic.credits - 100);
  });

  it('a charge that is not ours changes nothing', async () => {
    expect(await delivered(platform, chargeRefunded(`pi_${randomUUID().slice(0, 8)}`, 500, 500))).toBe(
      'unknown',
    );
  });
});
