// The credit ledger, shared by the API's use cases (sign-up grant, purchases, job
// admission) and the activities (capture, release, erasure): append-only entries, and a
// cached balance on the user row that the database itself keeps from going below zero
// (a CHECK constraint). Every entry and its balance change are written in one
// transaction under the user's row lock, and every job step is unique per (job, kind),
// so a retried activity changes nothing twice. Payments are kept 7 years (R-PAY-7Y).
//
// Refunds and disputes take back the credits the payment bought, by their own entries
// with the reason. The balance never goes below zero: what was already spent cannot be
// taken, so the entry takes what is left, records the rest as its `shortfall`, and the
// person owes it (`users.credits_owed`); the next credits they pay for settle it first
// (an `owed_settled` entry). A dispute closed in our favour gives back what it took,
// and forgives what it left owed.
import type { EntityManager } from '@mikro-orm/postgresql';
import { CreditLedgerEntry } from '../db/entities/index.ts';
import { BALANCE_EFFECT, STARTING_GRANT_CREDITS, type LedgerKind } from '../domain/billing.ts';

export class InsufficientCredits extends Error {
  override name = 'InsufficientCredits';
  readonly balance: number;
  readonly needed: number;
  constructor(balance: number, needed: number) {
    super(`This needs ${needed} credits; the balance is ${balance}.`);
    this.balance = balance;
    this.needed = needed;
  }
}

export interface LedgerWrite {
  userId: string;
  kind: LedgerKind;
  /** Positive number of credits the entry is about. */
  credits: number;
  jobId?: string;
  /** External id that makes a grant or purchase happen once (payment id, `signup:<user>`). */
  reference?: string;
  note?: string;
  /** Reversals only: credits that could not be taken (already spent). */
  shortfall?: number;
}

export interface LedgerResult {
  /** False when the same step was already recorded (nothing changed). */
  applied: boolean;
  balance: number;
}

async function balanceOf(tx: EntityManager, userId: string, lock: boolean): Promise<number> {
  const rows = await tx.execute<{ credit_balance: number }[]>(
    // NO KEY UPDATE: serialises balance changes yet lets rows that merely reference the user
    // (a job being inserted in the same transaction) keep their key-share lock: no deadlock.
    `select credit_balance from users where id = ?${lock ? ' for no key update' : ''}`,
    [userId],
  );
  if (!rows[0]) throw new Error(`no user ${userId}`);
  return Number(rows[0].credit_balance);
}

/** What a statement with `balanceChanging`'s parts selects, as it comes back. */
export interface LedgerColumns {
  ledger_applied: boolean;
  ledger_changed: number | null;
  ledger_balance: number | null;
}

/**
 * An entry that changes the balance, as parts of a statement: the common table expressions
 * that insert it and, only if it is new and the balance covers it, apply it (the update's
 * row lock serialises every change to one person's credits, and re-checks the balance a
 * concurrent change left), and the select-list columns that say what happened
 * (`ledgerOutcome`). Each part comes with its parameters, in the order the parts are
 * written. A caller with a write of its own in the same transaction puts both in one
 * statement (a job's creation, stores/generation.ts).
 */
export function balanceChanging(entry: LedgerWrite): {
  ctes: string;
  cteParams: unknown[];
  columns: string;
  columnParams: unknown[];
} {
  const change = balanceEffect(entry);
  return {
    ctes: `ledger_added as (
         insert into credit_ledger (user_id, kind, amount, credits, job_id, reference, note, shortfall, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, now())
         on conflict do nothing
         returning id),
       ledger_balance_update as (
         update users set credit_balance = credit_balance + ?
          where id = ? and exists (select 1 from ledger_added) and credit_balance + ? >= 0
          returning credit_balance)`,
    cteParams: [
      entry.userId,
      entry.kind,
      change,
      entry.credits,
      entry.jobId ?? null,
      entry.reference ?? null,
      entry.note ?? null,
      entry.shortfall ?? null,
      change,
      entry.userId,
      change,
    ],
    columns: `exists (select 1 from ledger_added) as ledger_applied,
              (select credit_balance from ledger_balance_update) as ledger_changed,
              (select credit_balance from users where id = ?) as ledger_balance`,
    columnParams: [entry.userId],
  };
}

/**
 * What a statement with `balanceChanging`'s parts did: the entry applied, or already
 * recorded; a refusal throws InsufficientCredits, and the caller's transaction rolls back
 * the inserted entry with everything else it wrote.
 */
export async function ledgerOutcome(
  tx: EntityManager,
  entry: LedgerWrite,
  row: LedgerColumns | undefined,
): Promise<LedgerResult> {
  if (row?.ledger_balance == null) throw new Error(`no user ${entry.userId}`);
  if (!row.ledger_applied) return { applied: false, balance: Number(row.ledger_balance) };
  if (row.ledger_changed == null) {
    // Refused: the balance as it is now (the statement's own reading may predate a
    // concurrent change that made the difference).
    throw new InsufficientCredits(await balanceOf(tx, entry.userId, false), entry.credits);
  }
  return { applied: true, balance: Number(row.ledger_changed) };
}

/** How the entry changes the balance; only whole, non-negative credits are entries. */
function balanceEffect(entry: LedgerWrite): number {
  if (!Number.isInteger(entry.credits) || entry.credits < 0)
    throw new RangeError('credits must be a whole number >= 0');
  return BALANCE_EFFECT[entry.kind] * entry.credits;
}

/**
 * Appends one entry and applies it to the balance, atomically. A reserve that would take
 * the balance below zero throws InsufficientCredits and writes nothing.
 *
 * One statement (`balanceChanging`): it was three (the lock, the insert, the update), the
 * most of a job's creation. An entry that takes credits runs in a transaction, which the
 * refusal rolls back with its inserted entry; one that only adds credits cannot be
 * refused, and its statement is atomic on its own.
 */
export async function writeLedger(em: EntityManager, entry: LedgerWrite): Promise<LedgerResult> {
  const change = balanceEffect(entry);
  if (change === 0) return appendWithoutChange(em, entry);
  const run = async (tx: EntityManager): Promise<LedgerResult> => {
    const parts = balanceChanging(entry);
    const [row] = await tx.execute<LedgerColumns[]>(`with ${parts.ctes} select ${parts.columns}`, [
      ...parts.cteParams,
      ...parts.columnParams,
    ]);
    return ledgerOutcome(tx, entry, row);
  };
  return em.isInTransaction() || change > 0 ? run(em) : em.fork().transactional(run);
}

/**
 * An entry that leaves the balance as it is (a capture): one statement, without the
 * user's row lock, since no balance changes; still once per (job, kind).
 */
async function appendWithoutChange(em: EntityManager, entry: LedgerWrite): Promise<LedgerResult> {
  const [row] = await em.execute<{ applied: boolean; credit_balance: number }[]>(
    `with added as (
       insert into credit_ledger (user_id, kind, amount, credits, job_id, reference, note, shortfall, created_at)
       values (?, ?, 0, ?, ?, ?, ?, ?, now())
       on conflict do nothing
       returning id)
     select exists (select 1 from added) as applied, credit_balance from users where id = ?`,
    [
      entry.userId,
      entry.kind,
      entry.credits,
      entry.jobId ?? null,
      entry.reference ?? null,
      entry.note ?? null,
      entry.shortfall ?? null,
      entry.userId,
    ],
  );
  if (!row) throw new Error(`no user ${entry.userId}`);
  return { applied: row.applied, balance: Number(row.credit_balance) };
}

const inTransaction = <T>(em: EntityManager, run: (tx: EntityManager) => Promise<T>): Promise<T> =>
  em.isInTransaction() ? run(em) : em.fork().transactional(run);

/**
 * Adds credits a person paid for (a pack, a subscription's invoice), once per reference;
 * credits they owe from an earlier reversal are settled from them in the same transaction.
 */
export function addPaidCredits(
  em: EntityManager,
  entry: LedgerWrite & { kind: 'purchase' | 'subscription'; reference: string },
): Promise<LedgerResult> {
  return inTransaction(em, async (tx) => {
    const added = await writeLedger(tx, entry);
    if (!added.applied) return added;
    const [row] = await tx.execute<{ credits_owed: number }[]>(
      'select credits_owed from users where id = ?',
      [entry.userId],
    );
    const settle = Math.min(Number(row?.credits_owed ?? 0), entry.credits);
    if (settle === 0) return added;
    const settled = await writeLedger(tx, {
      userId: entry.userId,
      kind: 'owed_settled',
      credits: settle,
      reference: `owed:${entry.reference}`,
      note: 'credits owed from a refunded or disputed payment',
    });
    await tx.execute('update users set credits_owed = credits_owed - ? where id = ?', [settle, entry.userId]);
    return settled;
  });
}

export interface Reversal {
  userId: string;
  kind: 'refunded' | 'disputed';
  /** Credits the refund or dispute takes back. */
  credits: number;
  /** Unique per reversal: `refund:<payment>:<amount refunded>`, `dispute:<payment>:<dispute>`. */
  reference: string;
  note: string;
}

export interface ReversalResult {
  applied: boolean;
  taken: number;
  shortfall: number;
}

/** Takes back what is left of `credits`; the rest is recorded as the entry's shortfall and owed. */
export function reverseCredits(em: EntityManager, reversal: Reversal): Promise<ReversalResult> {
  return inTransaction(em, async (tx) => {
    const balance = await balanceOf(tx, reversal.userId, true);
    const taken = Math.min(balance, reversal.credits);
    const shortfall = reversal.credits - taken;
    const written = await writeLedger(tx, {
      userId: reversal.userId,
      kind: reversal.kind,
      credits: taken,
      reference: reversal.reference,
      note: shortfall > 0 ? `${reversal.note}; ${shortfall} already spent, now owed` : reversal.note,
      shortfall,
    });
    if (!written.applied) return { applied: false, taken: 0, shortfall: 0 };
    if (shortfall > 0) {
      await tx.execute('update users set credits_owed = credits_owed + ? where id = ?', [
        shortfall,
        reversal.userId,
      ]);
    }
    return { applied: true, taken, shortfall };
  });
}

/**
 * A dispute closed in our favour: what its `disputed` entry took comes back, and what it
 * left owed is forgiven (what was settled of that meanwhile comes back too).
 */
export function reinstateDisputed(
  em: EntityManager,
  input: { userId: string; disputedReference: string; reference: string; note: string },
): Promise<LedgerResult & { credits: number }> {
  return inTransaction(em, async (tx) => {
    const [disputed] = await tx.execute<{ credits: number; shortfall: number | null }[]>(
      `select credits, shortfall from credit_ledger where reference = ? and kind = 'disputed'`,
      [input.disputedReference],
    );
    const balance = await balanceOf(tx, input.userId, true);
    if (!disputed) return { applied: false, balance, credits: 0 };
    const [row] = await tx.execute<{ credits_owed: number }[]>(
      'select credits_owed from users where id = ?',
      [input.userId],
    );
    const shortfall = Number(disputed.shortfall ?? 0);
    const forgiven = Math.min(shortfall, Number(row?.credits_owed ?? 0));
    const credits = Number(disputed.credits) + shortfall - forgiven;
    const written = await writeLedger(tx, {
      userId: input.userId,
      kind: 'dispute_won',
      credits,
      reference: input.reference,
      note: input.note,
    });
    if (written.applied && forgiven > 0) {
      await tx.execute('update users set credits_owed = credits_owed - ? where id = ?', [
        forgiven,
        input.userId,
      ]);
    }
    return { ...written, credits: written.applied ? credits : 0 };
  });
}

/**
 * Credits already taken back (or owed) for one payment by its refunds and its disputes not
 * won, so later reversals never take back more than it bought.
 */
export async function reversedCredits(em: EntityManager, paymentId: string): Promise<number> {
  const [row] = await em.execute<{ n: number }[]>(
    `select coalesce(sum(l.credits + coalesce(l.shortfall, 0)), 0)::int as n from credit_ledger l
      where (starts_with(l.reference, ?) or starts_with(l.reference, ?))
        and not exists (select 1 from credit_ledger w where w.kind = 'dispute_won'
                         and w.reference = 'dispute-won:' || split_part(l.reference, ':', 3))`,
    [`refund:${paymentId}:`, `dispute:${paymentId}:`],
  );
  return Number(row?.n ?? 0);
}

export async function creditBalance(em: EntityManager, userId: string): Promise<number> {
  return balanceOf(em, userId, false);
}

export interface JobCredits {
  reserved: number;
  captured: number;
  released: number;
}

/** What happened to a job's credits so far. */
export async function jobCredits(em: EntityManager, jobId: string): Promise<JobCredits> {
  const rows = await em.execute<{ kind: LedgerKind; credits: number }[]>(
    `select kind, credits from credit_ledger where job_id = ? and kind in ('reserve', 'capture', 'release')`,
    [jobId],
  );
  const sum = (kind: LedgerKind) =>
    rows.filter((r) => r.kind === kind).reduce((a, r) => a + Number(r.credits), 0);
  return { reserved: sum('reserve'), captured: sum('capture'), released: sum('release') };
}

/** The starting grant every new account gets, once (its reference makes a repeat a no-op). */
export function grantStartingCredits(em: EntityManager, userId: string): Promise<LedgerResult> {
  return writeLedger(em, {
    userId,
    kind: 'grant',
    credits: STARTING_GRANT_CREDITS,
    reference: `signup:${userId}`,
    note: 'welcome credits',
  });
}

/** One page of a person's ledger, newest first, and whether an older page follows. */
export async function ledgerPage(
  em: EntityManager,
  userId: string,
  page: { limit: number; before?: number },
): Promise<{ entries: CreditLedgerEntry[]; more: boolean }> {
  const entries = await em.find(
    CreditLedgerEntry,
    { user: userId, ...(page.before ? { id: { $lt: page.before } } : {}) },
    { orderBy: { id: 'desc' }, limit: page.limit + 1 },
  );
  return { entries: entries.slice(0, page.limit), more: entries.length > page.limit };
}
