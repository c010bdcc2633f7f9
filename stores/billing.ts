// The credit ledger, shared by the API's use cases (sign-up grant, purchases, job
// admission) and the activities (capture, release, erasure): append-only entries, and a
// cached balance on the user row that the database itself keeps from going below zero
// (a CHECK constraint). Every entry and its balance change are written in one
// transaction under the user's row lock, and every job step is unique per (job, kind),
// so a retried activity changes nothing twice. Payments are kept 7 years (R-PAY-7Y).
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

/**
 * Appends one entry and applies it to the balance, atomically. A reserve that would take
 * the balance below zero throws InsufficientCredits and writes nothing.
 */
export async function writeLedger(em: EntityManager, entry: LedgerWrite): Promise<LedgerResult> {
  if (!Number.isInteger(entry.credits) || entry.credits < 0)
    throw new RangeError('credits must be a whole number >= 0');
  const change = BALANCE_EFFECT[entry.kind] * entry.credits;
  const run = async (tx: EntityManager): Promise<LedgerResult> => {
    // The row lock serialises every change to one person's credits.
    const balance = await balanceOf(tx, entry.userId, true);
    const inserted = await tx.execute<{ id: string }[]>(
      `insert into credit_ledger (user_id, kind, amount, credits, job_id, reference, note, created_at)
       values (?, ?, ?, ?, ?, ?, ?, now())
       on conflict do nothing
       returning id`,
      [
        entry.userId,
        entry.kind,
        change,
        entry.credits,
        entry.jobId ?? null,
        entry.reference ?? null,
        entry.note ?? null,
      ],
    );
    if (inserted.length === 0) return { applied: false, balance };
    if (balance + change < 0) throw new InsufficientCredits(balance, entry.credits);
    await tx.execute('update users set credit_balance = credit_balance + ? where id = ?', [
      change,
      entry.userId,
    ]);
    return { applied: true, balance: balance + change };
  };
  return em.isInTransaction() ? run(em) : em.fork().transactional(run);
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
