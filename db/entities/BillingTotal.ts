import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { BILLING_TOTAL_RECORDS } from '../../domain/billing.ts';

/**
 * De-identified totals of payment records removed after 7 years (R-PAY-7Y), per month,
 * kind of record, its status or ledger kind, and currency: how many and how much (cents
 * for payments and invoices, credits for the ledger). Nothing that points to a person.
 */
export const BillingTotal = defineEntity({
  name: 'BillingTotal',
  tableName: 'billing_totals',
  primaryKeys: ['month', 'record', 'kind', 'currency'],
  properties: {
    month: p.date().primary(),
    record: p.enum(BILLING_TOTAL_RECORDS).primary(),
    /** The payment's status, or the ledger entry's kind. */
    kind: p.string().length(32).primary(),
    /** `usd`, or `-` for credits. */
    currency: p.string().length(3).primary(),
    count: p.integer(),
    amount: p.bigint('number'),
  },
});
export type BillingTotal = InferEntity<typeof BillingTotal>;
