// The export's categories for billing and support (D-ACCESS, D-SUBSCRIPTION,
// R-SUPPORT-3Y): credit pack purchases (the purchase history), subscriptions and their
// invoices, support tickets and their messages. Listed in activities/rights-request/
// categories.ts with every other category.
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import type { ExportCategory } from './categories.ts';

const UUID_ZERO = '00000000-0000-0000-0000-000000000000';
const keep = (subject: 'paymentRecord' | 'supportTicket') =>
  `${RETENTION_POLICY[subject].what}: ${RETENTION_POLICY[subject].period}`;

export const BILLING_CATEGORIES: readonly ExportCategory[] = [
  {
    name: 'purchases',
    title: 'Your credit purchases (purchase history)',
    purpose: 'To add the credits you paid for, and for tax records.',
    source: 'Stripe Checkout, when you bought a credit pack (we never see your card).',
    retention: keep('paymentRecord'),
    table: 'payments',
    columns: [
      'id as "id"',
      'pack as "pack"',
      'credits as "credits"',
      'amount as "amountCents"',
      'currency as "currency"',
      'status as "status"',
      'payment_intent_id as "stripePaymentId"',
      'created_at as "createdAt"',
      'paid_at as "paidAt"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: '',
  },
  {
    name: 'subscriptions',
    title: 'Your subscriptions',
    purpose: 'To grant each paid month’s credits, and for tax records.',
    source: 'You, when you subscribed, changed plan or cancelled; Stripe Billing, for each payment.',
    retention: keep('paymentRecord'),
    table: 'subscriptions',
    columns: [
      'id as "id"',
      'plan_id as "plan"',
      'status as "status"',
      'stripe_subscription_id as "stripeSubscriptionId"',
      'current_period_start as "currentPeriodStart"',
      'current_period_end as "currentPeriodEnd"',
      'cancel_at_period_end as "cancelAtPeriodEnd"',
      'ends_at as "endsAt"',
      'cancel_requested_at as "cancelRequestedAt"',
      'ended_at as "endedAt"',
      'end_reason as "endReason"',
      'credits_granted as "creditsGranted"',
      'created_at as "createdAt"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: UUID_ZERO,
  },
  {
    name: 'invoices',
    title: 'Your subscription invoices',
    purpose: 'To show what you paid for each month and the credits it gave, and for tax records.',
    source: 'Stripe Billing (the invoice page link is Stripe’s).',
    retention: keep('paymentRecord'),
    table: 'invoices',
    columns: [
      'id as "id"',
      'number as "number"',
      'status as "status"',
      'amount_due as "amountDueCents"',
      'amount_paid as "amountPaidCents"',
      'currency as "currency"',
      'hosted_invoice_url as "invoicePage"',
      'period_start as "periodStart"',
      'period_end as "periodEnd"',
      'credits as "credits"',
      '"grant" as "credited"',
      'paid_at as "paidAt"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: '',
  },
];

export const SUPPORT_CATEGORIES: readonly ExportCategory[] = [
  {
    name: 'support-tickets',
    title: 'Your support tickets',
    purpose: 'To help you when you asked us for help.',
    source: 'You, when you opened a ticket.',
    retention: keep('supportTicket'),
    table: 'support_tickets',
    columns: [
      'id as "id"',
      'subject as "subject"',
      'status as "status"',
      'created_at as "createdAt"',
      'last_message_at as "lastMessageAt"',
      'closed_at as "closedAt"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: UUID_ZERO,
  },
  {
    name: 'support-messages',
    title: 'The messages of your support tickets',
    purpose: 'To help you when you asked us for help.',
    source: 'You, and our support team’s replies.',
    retention: keep('supportTicket'),
    table: 'support_messages',
    columns: [
      'id as "id"',
      'ticket_id as "ticketId"',
      'author_role as "from"',
      'body as "message"',
      'attachment_asset_id as "attachmentFileId"',
      'created_at as "createdAt"',
    ],
    where: 'ticket_id in (select id from support_tickets where user_id = ?)',
    key: 'id',
    keyStart: '0',
  },
];
