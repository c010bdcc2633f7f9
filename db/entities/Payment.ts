import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow } from './columns.ts';
import { PAYMENT_STATUSES } from '../../domain/billing.ts';
import { User } from './User.ts';

/**
 * A credit purchase through Stripe Checkout, kept 7 years for tax law (R-PAY-7Y) and
 * detached from the person when their account is deleted. No card data: Stripe holds it
 * (R-NOCARD); only Stripe's ids, the amount and the outcome are here.
 */
export const Payment = defineEntity({
  name: 'Payment',
  tableName: 'payments',
  properties: {
    /** Stripe's Checkout Session id. */
    id: p.string().length(255).primary(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null').index(),
    pack: p.string().length(32),
    credits: p.integer(),
    amount: p.integer(),
    currency: p.string().length(3),
    status: p.enum(PAYMENT_STATUSES).default('pending'),
    createdAt: createdNow(),
    paidAt: p.datetime().nullable(),
    /** The PaymentIntent that paid it: a refund or dispute names it. */
    paymentIntentId: p.string().length(255).nullable().index(),
  },
});
export type Payment = InferEntity<typeof Payment>;
