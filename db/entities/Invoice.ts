import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow } from './columns.ts';
import { GRANT_STATUSES, INVOICE_STATUSES } from '../../domain/subscription.ts';
import { Subscription } from './Subscription.ts';
import { User } from './User.ts';

/**
 * A subscription invoice as Stripe reported it, and what its credits became
 * (D-SUBSCRIPTION: the person sees it, with Stripe's hosted invoice page, and gets it in
 * their export). Written by the subscription's workflow; the payment it was paid with is
 * linked from `invoice_payment.paid`, for refunds and disputes. Kept 7 years for tax law,
 * detached from a deleted person (R-PAY-7Y).
 */
export const Invoice = defineEntity({
  name: 'Invoice',
  tableName: 'invoices',
  properties: {
    /** Stripe's invoice id. */
    id: p.string().length(255).primary(),
    subscription: () => p.manyToOne(Subscription).mapToPk().nullable().deleteRule('set null').index(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null').index(),
    number: p.string().length(64).nullable(),
    status: p.enum(INVOICE_STATUSES).nullable(),
    amountDue: p.integer().default(0),
    amountPaid: p.integer().default(0),
    currency: p.string().length(3).default('usd'),
    hostedInvoiceUrl: p.text().nullable(),
    periodStart: p.datetime().nullable(),
    periodEnd: p.datetime().nullable(),
    billingReason: p.string().length(64).nullable(),
    /** Credits the invoice is worth once paid (invoiceCredits). */
    credits: p.integer().default(0),
    grant: p.enum(GRANT_STATUSES).default('none'),
    grantNote: p.text().nullable(),
    /** The PaymentIntent that paid it: a refund or dispute names it. */
    paymentIntentId: p.string().length(255).nullable().index(),
    paidAt: p.datetime().nullable(),
    createdAt: createdNow(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Invoice = InferEntity<typeof Invoice>;
