// Payment records age out (R-PAY-7Y): a Temporal Schedule removes pack payments,
// subscription invoices, ledger entries, ended subscriptions and Stripe event ids older
// than 7 years, and nothing younger; de-identified monthly totals stay for the books; a
// person who still has an account keeps a ledger that adds up to their balance. Production
// durations: old records are written with old dates (a month no other test writes in), so
// other tests' fresh records are untouched.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSweepActivities } from '../../activities/sweeps/index.ts';
import {
  AuditEvent,
  BillingTotal,
  Invoice,
  LegalHold,
  Payment,
  StripeEvent,
  Subscription,
} from '../../db/entities/index.ts';
import { BILLING_SCHEDULE_IDS, PAYMENT_RECORD_SWEEP_INTERVAL_MS } from '../../domain/billing.ts';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { DAY } from '../../domain/time.ts';
import { creditBalance, writeLedger } from '../../stores/billing.ts';
import { signedIn } from '../support/accounts.ts';
import { startTestPlatform, testConfig, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();
const SEVEN_YEARS = 7 * 365 * DAY;
const ago = (ms: number) => new Date(Date.now() - ms);
/** Old enough, in a month of its own. */
const OLD = ago(SEVEN_YEARS + 45 * DAY);
const YOUNG = ago(SEVEN_YEARS - DAY);
const month = (d: Date) => `${d.toISOString().slice(0, 7)}-01`;

const sweep = () =>
  platform.clients.temporal.client.workflow.execute('paymentRecordSweepWorkflow', {
    taskQueue: TASK_QUEUES.system,
    workflowId: `payment-sweep-test-${randomUUID()}`,
    args: [],
  }) as Promise<Record<string, number | string>>;

/** A ledger entry written as the platform writes it, then dated `at`. */
async function entry(
  userId: string | null,
  kind: 'grant' | 'purchase' | 'reserve',
  credits: number,
  at: Date,
) {
  const reference = `sweep-test:${randomUUID()}`;
  if (userId) {
    await writeLedger(em(), {
      userId,
      kind,
      credits,
      reference,
      jobId: kind === 'reserve' ? randomUUID() : undefined,
    });
  } else {
    await em().execute(
      `insert into credit_ledger (user_id, kind, amount, credits, reference, created_at) values (null, ?, ?, ?, ?, now())`,
      [kind, kind === 'reserve' ? -credits : credits, credits, reference],
    );
  }
  await em().execute('update credit_ledger set created_at = ? where reference = ?', [at, reference]);
  return reference;
}

async function payment(userId: string | null, at: Date, amount = 500): Promise<string> {
  const id = `cs_sweep_${randomUUID()}`;
  await em().insert(Payment, {
    id,
    user: userId,
    pack: 'starter',
    credits: 100,
    amount,
    currency: 'usd',
    status: 'paid',
    createdAt: at,
    paidAt: at,
  });
  return id;
}

async function invoice(userId: string | null, at: Date, amountPaid = 1500): Promise<string> {
  const id = `in_sweep_${randomUUID()}`;
  await em().insert(Invoice, {
    id,
    user: userId,
    status: 'paid',
    amountDue: amountPaid,
    amountPaid,
    currency: 'usd',
    credits: 400,
    grant: 'granted',
    paidAt: at,
    createdAt: at,
    updatedAt: at,
  });
  return id;
}

async function subscription(userId: string | null, endedAt: Date): Promise<string> {
  const id = randomUUID();
  await em().insert(Subscription, {
    id,
    user: userId,
    planId: 'basic',
    status: 'canceled',
    checkoutSessionId: `cs_sub_${id}`,
    cancelAtPeriodEnd: false,
    creditsGranted: 400,
    endedAt,
    endReason: 'stripe',
    createdAt: endedAt,
    updatedAt: endedAt,
  });
  return id;
}

const ledgerSum = async (userId: string) =>
  Number(
    (
      await em().execute<{ s: number }[]>(
        'select coalesce(sum(amount), 0)::int as s from credit_ledger where user_id = ?',
        [userId],
      )
    )[0]!.s,
  );

describe('payment records age out', () => {
  it('[R-PAY-7Y] a daily Schedule removes the records older than 7 years and nothing else, leaving de-identified totals; a living person’s ledger still adds up', async () => {
    expect(RETENTION_POLICY.paymentRecord.keepMs).toBe(SEVEN_YEARS);
    const described = await platform.clients.temporal.client.schedule
      .getHandle(BILLING_SCHEDULE_IDS.paymentRecordSweep)
      .describe();
    expect(Number(described.spec.intervals?.[0]?.every)).toBe(PAYMENT_RECORD_SWEEP_INTERVAL_MS);

    const { user } = await signedIn(platform);
    // The person's ledger: 100 bought and 30 spent long ago, 20 bought recently.
    const oldPurchase = await entry(user.id, 'purchase', 100, OLD);
    const oldSpend = await entry(user.id, 'reserve', 30, OLD);
    const youngPurchase = await entry(user.id, 'purchase', 20, YOUNG);
    const detached = await entry(null, 'purchase', 500, OLD);
    const oldPayment = await payment(user.id, OLD, 700);
    const oldDetachedPayment = await payment(null, OLD, 300);
    const youngPayment = await payment(user.id, YOUNG);
    const oldInvoice = await invoice(null, OLD, 1500);
    const youngInvoice = await invoice(user.id, YOUNG);
    const oldSub = await subscription(null, OLD);
    const youngSub = await subscription(user.id, YOUNG);
    const oldEvent = `evt_sweep_${randomUUID()}`;
    const youngEvent = `evt_sweep_${randomUUID()}`;
    await em().insert(StripeEvent, { id: oldEvent, type: 'invoice.paid', receivedAt: OLD });
    await em().insert(StripeEvent, { id: youngEvent, type: 'invoice.paid', receivedAt: YOUNG });
    const balance = await creditBalance(em(), user.id);
    expect(await ledgerSum(user.id)).toBe(balance);

    const result = await sweep();
    expect(result).toMatchObject({ payments: expect.any(Number), invoices: expect.any(Number) });
    expect(Number(result.payments)).toBeGreaterThanOrEqual(2);

    // What is old is gone; what is younger is all there.
    const refs = async (...references: string[]) =>
      (
        await em().execute<{ reference: string }[]>(
          'select reference from credit_ledger where reference in (?)',
          [references],
        )
      ).map((r) => r.reference);
    expect(await refs(oldPurchase, oldSpend, detached, youngPurchase)).toEqual([youngPurchase]);
    expect(await em().count(Payment, { id: { $in: [oldPayment, oldDetachedPayment] } })).toBe(0);
    expect(await em().count(Payment, { id: youngPayment })).toBe(1);
    expect(await em().count(Invoice, { id: oldInvoice })).toBe(0);
    expect(await em().count(Invoice, { id: youngInvoice })).toBe(1);
    expect(await em().count(Subscription, { id: oldSub })).toBe(0);
    expect(await em().count(Subscription, { id: youngSub })).toBe(1);
    expect(await em().count(StripeEvent, { id: oldEvent })).toBe(0);
    expect(await em().count(StripeEvent, { id: youngEvent })).toBe(1);

    // The person's removed entries became one carried-forward entry: the ledger adds up.
    const carried = await em().execute<{ amount: number; kind: string }[]>(
      `select kind, amount from credit_ledger where user_id = ? and kind = 'carried_forward'`,
      [user.id],
    );
    expect(carried).toEqual([{ kind: 'carried_forward', amount: 70 }]);
    expect(await creditBalance(em(), user.id)).toBe(balance);
    expect(await ledgerSum(user.id)).toBe(balance);

    // De-identified totals for the books: per month, record, kind and currency; nothing about anyone.
    const totals = await em().find(BillingTotal, { month: month(OLD) });
    const byKey = Object.fromEntries(
      totals.map((t) => [`${t.record}:${t.kind}:${t.currency}`, [t.count, Number(t.amount)]]),
    );
    expect(byKey).toMatchObject({
      'payment:paid:usd': [2, 1000],
      'invoice:paid:usd': [1, 1500],
      'ledger:purchase:-': [2, 600],
      'ledger:reserve:-': [1, 30],
    });
    const columns = await em().execute<{ column_name: string }[]>(
      `select column_name from information_schema.columns where table_name = 'billing_totals'`,
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual([
      'amount',
      'count',
      'currency',
      'kind',
      'month',
      'record',
    ]);
    expect(await em().count(AuditEvent, { action: 'billing.payment_records_swept' })).toBeGreaterThanOrEqual(
      1,
    );

    // A second run finds nothing more: the totals and the carried entry stay as they are.
    await sweep();
    const again = await em().find(BillingTotal, { month: month(OLD) });
    expect(again.map((t) => [t.record, t.kind, t.count]).sort()).toEqual(
      totals.map((t) => [t.record, t.kind, t.count]).sort(),
    );
    expect(await ledgerSum(user.id)).toBe(balance);
  });

  it('[R-HOLD] keeps the payment records of a person under a legal hold', async () => {
    const { user } = await signedIn(platform);
    const held = await payment(user.id, OLD);
    const e = em();
    e.create(LegalHold, { userId: user.id, reason: 'tax audit', placedBy: user.id, placedAt: new Date() });
    await e.flush();
    await sweep();
    expect(await em().count(Payment, { id: held })).toBe(1);
  });

  it('[R-PAY-7Y] follows the configured duration (DURATION_OVERRIDES paymentRecord) where a test stack shortens it', async () => {
    const { user } = await signedIn(platform);
    const config = testConfig({ DURATION_OVERRIDES: `paymentRecord=${SEVEN_YEARS - 60 * DAY}` });
    const activities = createSweepActivities({ ...platform.clients, config });
    const due = await payment(user.id, ago(SEVEN_YEARS - 30 * DAY));
    const kept = await payment(user.id, ago(SEVEN_YEARS - 90 * DAY));
    const result = await activities.deleteOldPaymentRecords();
    expect(Date.now() - Date.parse(result.cutoff)).toBeGreaterThanOrEqual(SEVEN_YEARS - 60 * DAY);
    expect(await em().count(Payment, { id: due })).toBe(0);
    expect(await em().count(Payment, { id: kept })).toBe(1);
  });
});
