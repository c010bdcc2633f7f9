// Payment records age out (R-PAY-7Y), run by a Temporal Schedule: credit pack payments,
// subscription invoices, credit ledger entries, ended subscriptions and Stripe's event ids
// older than 7 years (the policy table's `paymentRecord`; tests shorten it through
// DURATION_OVERRIDES) are removed, and nothing younger. What the books need stays as
// de-identified monthly totals (`billing_totals`: count and sum per month, kind of record,
// status or ledger kind, currency). A person who still has an account keeps a ledger that
// adds up to their balance: their removed entries become one `carried_forward` entry.
// Records of a person under a legal hold are kept (R-HOLD). Each batch is one
// transaction, so a retry counts nothing twice.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { PAYMENT_RECORD_SWEEP_BATCH_SIZE } from '../../domain/billing.ts';
import { recordAudit } from '../../platform/audit.ts';
import { heartbeat } from '../heartbeat.ts';

export interface PaymentRecordSweep {
  cutoff: string;
  payments: number;
  invoices: number;
  ledgerEntries: number;
  ledgerCarried: number;
  subscriptions: number;
  stripeEvents: number;
}

/** Rows of a person under an active legal hold are never swept. */
const NOT_HELD = `(user_id is null or user_id not in
  (select user_id from legal_holds where released_at is null and user_id is not null))`;

const ADD_TOTALS = `on conflict (month, record, kind, currency) do update set
  count = billing_totals.count + excluded.count, amount = billing_totals.amount + excluded.amount`;

/** Repeats a batch until one comes back short. */
async function inBatches(run: () => Promise<number>, progress: (n: number) => void): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await run();
    total += n;
    progress(total);
    if (n < PAYMENT_RECORD_SWEEP_BATCH_SIZE) return total;
  }
}

/** Pack payments and invoices: counted into the totals, then removed. */
function sweepMoney(orm: MikroORM, table: 'payments' | 'invoices', cutoff: Date) {
  const when = table === 'payments' ? 'created_at' : 'coalesce(paid_at, created_at)';
  const amount = table === 'payments' ? 'amount' : 'amount_paid';
  const record = table === 'payments' ? 'payment' : 'invoice';
  return orm.em.fork().transactional(async (tx) => {
    const rows = await tx.execute<{ id: string }[]>(
      `select id from ${table} where ${when} < ? and ${NOT_HELD} limit ? for update skip locked`,
      [cutoff, PAYMENT_RECORD_SWEEP_BATCH_SIZE],
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((r) => r.id);
    await tx.execute(
      `insert into billing_totals (month, record, kind, currency, count, amount)
       select date_trunc('month', ${when})::date, '${record}', coalesce(status, 'unknown'), currency,
              count(*), coalesce(sum(${amount}), 0)
         from ${table} where id in (?) group by 1, 2, 3, 4
       ${ADD_TOTALS}`,
      [ids],
    );
    await tx.execute(`delete from ${table} where id in (?)`, [ids]);
    return rows.length;
  });
}

async function ledgerTotals(tx: EntityManager, ids: readonly (string | number)[]): Promise<void> {
  await tx.execute(
    `insert into billing_totals (month, record, kind, currency, count, amount)
     select date_trunc('month', created_at)::date, 'ledger', kind, '-', count(*), coalesce(sum(credits), 0)
       from credit_ledger where id in (?) group by 1, 2, 3, 4
     ${ADD_TOTALS}`,
    [ids],
  );
}

/** Detached entries (their person deleted their account): counted, then removed. */
function sweepDetachedLedger(orm: MikroORM, cutoff: Date) {
  return orm.em.fork().transactional(async (tx) => {
    const rows = await tx.execute<{ id: string }[]>(
      `select id from credit_ledger where user_id is null and created_at < ? limit ? for update skip locked`,
      [cutoff, PAYMENT_RECORD_SWEEP_BATCH_SIZE],
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((r) => r.id);
    await ledgerTotals(tx, ids);
    await tx.execute('delete from credit_ledger where id in (?)', [ids]);
    return rows.length;
  });
}

/**
 * A batch of people with entries past the cutoff: each one's old entries are counted and
 * removed, and with their earlier carried entry become one `carried_forward` entry whose
 * amount is what they added up to, so the ledger still sums to the balance.
 */
function sweepPersonalLedger(orm: MikroORM, cutoff: Date) {
  return orm.em.fork().transactional(async (tx) => {
    const people = await tx.execute<{ user_id: string }[]>(
      `select distinct user_id from credit_ledger
        where user_id is not null and created_at < ? and kind <> 'carried_forward' and ${NOT_HELD}
        limit ?`,
      [cutoff, PAYMENT_RECORD_SWEEP_BATCH_SIZE],
    );
    let removed = 0;
    for (const { user_id: userId } of people) {
      // The person's row lock: their ledger changes with nobody else's write in between.
      await tx.execute('select id from users where id = ? for no key update', [userId]);
      const entries = await tx.execute<{ id: string; kind: string; amount: number; created_at: Date }[]>(
        `select id, kind, amount, created_at from credit_ledger
          where user_id = ? and ((created_at < ? and kind <> 'carried_forward') or kind = 'carried_forward')`,
        [userId, cutoff],
      );
      const old = entries.filter((e) => e.kind !== 'carried_forward');
      if (old.length === 0) continue;
      await ledgerTotals(
        tx,
        old.map((e) => e.id),
      );
      const sum = entries.reduce((total, e) => total + Number(e.amount), 0);
      const latest = new Date(Math.max(...old.map((e) => new Date(e.created_at).getTime())));
      await tx.execute('delete from credit_ledger where id in (?)', [entries.map((e) => e.id)]);
      if (sum !== 0) {
        await tx.execute(
          `insert into credit_ledger (user_id, kind, amount, credits, note, created_at)
           values (?, 'carried_forward', ?, ?, ?, ?)`,
          [userId, sum, Math.abs(sum), 'balance of entries older than 7 years, removed (R-PAY-7Y)', latest],
        );
      }
      removed += old.length;
    }
    // A short batch of people ends the loop: report the people, not their entries.
    return { people: people.length, removed };
  });
}

async function deleteOld(orm: MikroORM, sql: string, cutoff: Date): Promise<number> {
  const rows = await orm.em.fork().execute<{ id: string }[]>(sql, [cutoff, PAYMENT_RECORD_SWEEP_BATCH_SIZE]);
  return rows.length;
}

export function createBillingSweepActivities(deps: { orm: MikroORM; config: Config }) {
  const { orm, config } = deps;
  return {
    /** R-PAY-7Y: removes payment records older than the policy's 7 years, leaving de-identified totals. */
    async deleteOldPaymentRecords(): Promise<PaymentRecordSweep> {
      const cutoff = new Date(Date.now() - config.durations.retentionMs('paymentRecord'));
      const result: PaymentRecordSweep = {
        cutoff: cutoff.toISOString(),
        payments: 0,
        invoices: 0,
        ledgerEntries: 0,
        ledgerCarried: 0,
        subscriptions: 0,
        stripeEvents: 0,
      };
      const beat = () => heartbeat(result);
      result.payments = await inBatches(() => sweepMoney(orm, 'payments', cutoff), beat);
      result.invoices = await inBatches(() => sweepMoney(orm, 'invoices', cutoff), beat);
      result.ledgerEntries = await inBatches(() => sweepDetachedLedger(orm, cutoff), beat);
      result.ledgerCarried = await inBatches(async () => {
        const batch = await sweepPersonalLedger(orm, cutoff);
        result.ledgerEntries += batch.removed;
        return batch.people;
      }, beat);
      result.subscriptions = await inBatches(
        () =>
          deleteOld(
            orm,
            `delete from subscriptions where id in (select id from subscriptions
               where coalesce(ended_at, case when status in ('pending', 'expired') then created_at end) < ?
                 and ${NOT_HELD} limit ?) returning id`,
            cutoff,
          ),
        beat,
      );
      result.stripeEvents = await inBatches(
        () =>
          deleteOld(
            orm,
            `delete from stripe_events where id in (select id from stripe_events where received_at < ? limit ?) returning id`,
            cutoff,
          ),
        beat,
      );
      const removed = Object.entries(result).some(([k, v]) => k !== 'cutoff' && Number(v) > 0);
      if (removed) {
        await recordAudit(orm.em.fork(), {
          action: 'billing.payment_records_swept',
          actorRole: 'system',
          details: { ...result, policy: 'R-PAY-7Y' },
        });
      }
      return result;
    },
  };
}
