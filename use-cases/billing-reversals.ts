// Refunds and disputes (Stripe's `charge.refunded`, `charge.dispute.created` and
// `charge.dispute.closed`): each takes back, or gives back, the credits the payment
// bought by its own ledger entry with the reason, found by the PaymentIntent both the
// charge and the dispute name (a pack's payment, or a subscription's invoice).
//
// - A refund takes back the refunded share of the payment's credits; Stripe reports the
//   total refunded so far, so each event takes only what the ones before did not.
// - A dispute takes back the disputed share at once; closed in our favour (`won`, or an
//   inquiry closed without a chargeback) it gives it back; lost, the entry stands.
// - Never more than the payment bought, across all its refunds and disputes.
// - Credits already spent cannot be taken (the balance never goes below zero): the entry
//   takes what is left and the rest is owed, settled from the next credits the person
//   pays for (stores/billing.ts).
import type Stripe from 'stripe';
import { DISPUTE_WON_STATUSES, creditsForAmount } from '../domain/billing.ts';
import type { StripeOutcome } from '../domain/contracts/billing.ts';
import { recordAudit } from '../platform/audit.ts';
import { reinstateDisputed, reverseCredits, reversedCredits } from '../stores/billing.ts';
import type { UseCaseDeps } from './deps.ts';

/** A payment that bought credits: a credit pack, or a subscription's invoice (what it granted). */
interface PaidPurchase {
  id: string;
  userId: string | null;
  credits: number;
  amount: number;
}

const idOf = (value: string | { id: string } | null | undefined) =>
  typeof value === 'string' ? value : (value?.id ?? null);

async function purchaseFor(deps: UseCaseDeps, paymentIntentId: string | null): Promise<PaidPurchase | null> {
  if (!paymentIntentId) return null;
  const [row] = await deps.orm.em.fork().execute<PaidPurchase[]>(
    `select id, user_id as "userId", credits, amount from payments where payment_intent_id = ? and status = 'paid'
     union all
     select id, user_id as "userId", case when "grant" = 'granted' then credits else 0 end, amount_paid
       from invoices where payment_intent_id = ? and status = 'paid'
     limit 1`,
    [paymentIntentId, paymentIntentId],
  );
  return row ? { ...row, credits: Number(row.credits), amount: Number(row.amount) } : null;
}

async function audit(
  deps: UseCaseDeps,
  action: string,
  purchase: PaidPurchase,
  details: Record<string, unknown>,
): Promise<void> {
  await recordAudit(deps.orm.em.fork(), {
    action,
    actorRole: 'system',
    targetType: 'payment',
    targetId: purchase.id,
    subjectUserId: purchase.userId,
    details,
  });
}

/** `charge.refunded`: takes back the credits of what was refunded since the last refund event. */
export async function reverseForCharge(deps: UseCaseDeps, charge: Stripe.Charge): Promise<StripeOutcome> {
  const purchase = await purchaseFor(deps, idOf(charge.payment_intent));
  if (!purchase) return 'unknown';
  if (!purchase.userId) return 'ignored';
  const em = deps.orm.em.fork();
  const target = creditsForAmount(purchase.credits, purchase.amount, charge.amount_refunded);
  const [refunded] = await em.execute<{ n: number }[]>(
    `select coalesce(sum(credits + coalesce(shortfall, 0)), 0)::int as n from credit_ledger
      where kind = 'refunded' and starts_with(reference, ?)`,
    [`refund:${purchase.id}:`],
  );
  const left = purchase.credits - (await reversedCredits(em, purchase.id));
  const credits = Math.min(target - Number(refunded?.n ?? 0), left);
  if (credits <= 0) return 'ignored';
  const reason = charge.refunds?.data?.[0]?.reason ?? 'requested';
  const result = await reverseCredits(em, {
    userId: purchase.userId,
    kind: 'refunded',
    credits,
    reference: `refund:${purchase.id}:${charge.amount_refunded}`,
    note: `payment refunded (${reason})`,
  });
  if (!result.applied) return 'ignored';
  await audit(deps, 'billing.payment_refunded', purchase, {
    amountRefunded: charge.amount_refunded,
    credits,
    taken: result.taken,
    shortfall: result.shortfall,
    reason,
  });
  return 'reversed';
}

/** `charge.dispute.created` takes the disputed credits back; `closed` as won gives them back. */
export async function reverseForDispute(
  deps: UseCaseDeps,
  type: 'charge.dispute.created' | 'charge.dispute.closed',
  dispute: Stripe.Dispute,
): Promise<StripeOutcome> {
  const purchase = await purchaseFor(deps, idOf(dispute.payment_intent));
  if (!purchase) return 'unknown';
  if (!purchase.userId) return 'ignored';
  const em = deps.orm.em.fork();
  const disputedReference = `dispute:${purchase.id}:${dispute.id}`;
  if (type === 'charge.dispute.created') {
    const left = purchase.credits - (await reversedCredits(em, purchase.id));
    const credits = Math.min(creditsForAmount(purchase.credits, purchase.amount, dispute.amount), left);
    if (credits <= 0) return 'ignored';
    const result = await reverseCredits(em, {
      userId: purchase.userId,
      kind: 'disputed',
      credits,
      reference: disputedReference,
      note: `payment disputed (${dispute.reason})`,
    });
    if (!result.applied) return 'ignored';
    await audit(deps, 'billing.payment_disputed', purchase, {
      disputeId: dispute.id,
      credits,
      taken: result.taken,
      shortfall: result.shortfall,
      reason: dispute.reason,
    });
    return 'reversed';
  }
  if (!DISPUTE_WON_STATUSES.includes(dispute.status)) {
    await audit(deps, 'billing.dispute_lost', purchase, { disputeId: dispute.id, status: dispute.status });
    return 'ignored';
  }
  const result = await reinstateDisputed(em, {
    userId: purchase.userId,
    disputedReference,
    reference: `dispute-won:${dispute.id}`,
    note: `dispute closed in our favour (${dispute.status})`,
  });
  if (!result.applied) return 'ignored';
  await audit(deps, 'billing.dispute_won', purchase, { disputeId: dispute.id, credits: result.credits });
  return 'reinstated';
}
