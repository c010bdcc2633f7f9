import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow } from './columns.ts';
import { LEDGER_KINDS } from '../../domain/billing.ts';
import { User } from './User.ts';

/**
 * Append-only. A job's reserve, capture and release are unique per (job, kind), so
 * each step happens exactly once however often an activity retries.
 */
export const CreditLedgerEntry = defineEntity({
  name: 'CreditLedgerEntry',
  tableName: 'credit_ledger',
  uniques: [{ properties: ['jobId', 'kind'] }, { properties: ['reference'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null').index(),
    kind: p.enum(LEDGER_KINDS),
    /** Signed change to the spendable balance (see BALANCE_EFFECT). */
    amount: p.integer(),
    /** How many credits the entry is about, always >= 0 (a capture charges without changing the balance). */
    credits: p.integer().check('credits >= 0'),
    jobId: p.uuid().nullable(),
    /** An external id (payment, grant) that makes the entry idempotent. */
    reference: p.string().length(255).nullable(),
    note: p.text().nullable(),
    /**
     * A reversal (refund, dispute) that found credits already spent: how many it could not
     * take, added to the person's credits owed (settled from credits they add later).
     */
    shortfall: p.integer().nullable(),
    createdAt: createdNow(),
  },
});
export type CreditLedgerEntry = InferEntity<typeof CreditLedgerEntry>;
