// The subscription workflow's one activity: what its events decided, written in one
// transaction keyed by the subscription and invoice ids. The subscription row (what the
// site shows), each invoice (Stripe's facts and what became of its credits) and each
// grant (a ledger entry unique per invoice, credits owed settled first), so a retry
// after a crash writes nothing twice. Run as a local activity in the task the events
// woke the workflow for.
import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { Subscription } from '../../db/entities/index.ts';
import {
  planLabel,
  type Grant,
  type InvoiceRecord,
  type SubscriptionState,
} from '../../domain/subscription.ts';
import { recordAudit } from '../../platform/audit.ts';
import { addPaidCredits } from '../../stores/billing.ts';

/** The subscription's state as its row keeps it (times in ms). */
export type SubscriptionRow = Pick<
  SubscriptionState,
  | 'status'
  | 'planId'
  | 'stripeSubscriptionId'
  | 'customerId'
  | 'itemId'
  | 'periodStart'
  | 'periodEnd'
  | 'cancelAtPeriodEnd'
  | 'endsAt'
  | 'endedAt'
  | 'endReason'
  | 'creditsGranted'
>;

export interface SubscriptionRecord {
  subscriptionId: string;
  row: SubscriptionRow;
  invoices: InvoiceRecord[];
  grants: Grant[];
}

const at = (ms: number | null) => (ms === null ? null : new Date(ms));

async function writeInvoice(tx: EntityManager, sub: Subscription, invoice: InvoiceRecord): Promise<void> {
  await tx.execute(
    `insert into invoices (id, subscription_id, user_id, number, status, amount_due, amount_paid, currency,
                           hosted_invoice_url, period_start, period_end, billing_reason, credits, "grant",
                           grant_note, paid_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now())
     on conflict (id) do update set
       subscription_id = excluded.subscription_id, user_id = coalesce(invoices.user_id, excluded.user_id),
       number = excluded.number, amount_due = excluded.amount_due, amount_paid = excluded.amount_paid,
       currency = excluded.currency, hosted_invoice_url = excluded.hosted_invoice_url,
       period_start = excluded.period_start, period_end = excluded.period_end,
       billing_reason = excluded.billing_reason, credits = excluded.credits,
       -- a paid invoice stays paid; what was granted stays granted
       status = case when invoices.status = 'paid' then invoices.status else excluded.status end,
       "grant" = case when invoices."grant" = 'granted' then invoices."grant" else excluded."grant" end,
       grant_note = excluded.grant_note, paid_at = coalesce(invoices.paid_at, excluded.paid_at),
       updated_at = now()`,
    [
      invoice.id,
      sub.id,
      sub.user ?? null,
      invoice.number,
      invoice.status,
      invoice.amountDue,
      invoice.amountPaid,
      invoice.currency,
      invoice.hostedUrl,
      at(invoice.periodStart),
      at(invoice.periodEnd),
      invoice.billingReason,
      invoice.credits,
      invoice.grant,
      invoice.note,
      invoice.status === 'paid' ? new Date() : null,
    ],
  );
}

async function writeGrant(tx: EntityManager, sub: Subscription, grant: Grant): Promise<boolean> {
  // A subscription detached by an account deletion grants nothing more.
  if (!sub.user) return false;
  const [invoice] = await tx.execute<{ number: string | null }[]>(
    'select number from invoices where id = ?',
    [grant.invoiceId],
  );
  const written = await addPaidCredits(tx, {
    userId: sub.user,
    kind: 'subscription',
    credits: grant.credits,
    reference: `subscription-invoice:${grant.invoiceId}`,
    note: `${planLabel(grant.planId)} plan, invoice ${invoice?.number ?? grant.invoiceId}`,
  });
  await tx.execute(`update invoices set "grant" = 'granted', grant_note = null where id = ?`, [
    grant.invoiceId,
  ]);
  return written.applied;
}

export function createSubscriptionRecordActivities(deps: { orm: MikroORM }) {
  return {
    /** Writes the row, the invoices and the grants one batch of events decided. */
    async recordSubscription(input: SubscriptionRecord): Promise<{ granted: number }> {
      const { row } = input;
      return deps.orm.em.fork().transactional(async (tx) => {
        const sub = await tx.findOneOrFail(
          Subscription,
          { id: input.subscriptionId },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        const wasEnded = sub.endedAt !== null && sub.endedAt !== undefined;
        tx.assign(sub, {
          status: row.status,
          planId: row.planId,
          stripeSubscriptionId: row.stripeSubscriptionId ?? sub.stripeSubscriptionId,
          stripeCustomerId: row.customerId ?? sub.stripeCustomerId,
          stripeItemId: row.itemId ?? sub.stripeItemId,
          currentPeriodStart: at(row.periodStart),
          currentPeriodEnd: at(row.periodEnd),
          cancelAtPeriodEnd: row.cancelAtPeriodEnd,
          endsAt: at(row.endsAt),
          endedAt: at(row.endedAt) ?? sub.endedAt ?? null,
          endReason: row.endReason ?? sub.endReason ?? null,
          creditsGranted: row.creditsGranted,
        });
        await tx.flush();
        for (const invoice of input.invoices) await writeInvoice(tx, sub, invoice);
        let granted = 0;
        for (const grant of input.grants) {
          if (await writeGrant(tx, sub, grant)) {
            granted += grant.credits;
            await recordAudit(tx, {
              action: 'billing.subscription_credits_granted',
              actorRole: 'system',
              targetType: 'invoice',
              targetId: grant.invoiceId,
              subjectUserId: sub.user ?? null,
              details: { subscriptionId: sub.id, credits: grant.credits, plan: grant.planId },
            });
          }
        }
        if (!wasEnded && row.endedAt !== null) {
          await recordAudit(tx, {
            action: 'billing.subscription_ended',
            actorRole: 'system',
            targetType: 'subscription',
            targetId: sub.id,
            subjectUserId: sub.user ?? null,
            details: { reason: row.endReason, creditsGranted: row.creditsGranted },
          });
        }
        return { granted };
      });
    },
  };
}
