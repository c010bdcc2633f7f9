// Subscriptions (D-SUBSCRIPTION): monthly plans through Stripe Billing. Starting one is a
// Stripe Checkout page in subscription mode (R-NOCARD: the card is typed there); Stripe's
// customer portal manages payment methods; a plan change is prorated by Stripe and its
// invoice grants the prorated difference; the person can cancel at any time (at the end
// of the period already paid for). Every change goes to Stripe, whose events drive the
// subscription's workflow (use-cases/subscription-events.ts); views read the rows that
// workflow writes, never the workflow.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import Stripe from 'stripe';
import { Invoice, Subscription } from '../db/entities/index.ts';
import { SUBSCRIPTION_PLANS, findPlan, type SubscriptionPlan } from '../domain/billing.ts';
import { INVOICE_PAGE_SIZE } from '../domain/subscription.ts';
import type { Checkout } from '../domain/contracts/billing.ts';
import type {
  BillingPortal,
  InvoiceList,
  InvoiceListQuery,
  InvoiceView,
  PlanBody,
  PlanList,
  SubscriptionOverview,
  SubscriptionView,
} from '../domain/contracts/subscription.ts';
import { AppError, badRequest, conflict } from '../domain/errors.ts';
import { recordAudit } from '../platform/audit.ts';
import { liveSubscriptionOf } from '../stores/subscription.ts';
import { newestPage } from '../stores/time-pages.ts';
import type { Actor, UseCaseDeps } from './deps.ts';

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** The plans whose Stripe price is configured: the ones on offer. */
export function offeredPlans(deps: UseCaseDeps): PlanList {
  return {
    plans: SUBSCRIPTION_PLANS.filter((p) => deps.config.stripe.planPrices[p.id]).map((p) => ({ ...p })),
  };
}

function offeredPlan(deps: UseCaseDeps, planId: string): { plan: SubscriptionPlan; price: string } {
  const plan = findPlan(planId);
  const price = plan && deps.config.stripe.planPrices[plan.id];
  if (!plan || !price)
    throw badRequest('Choose one of the plans.', [{ field: 'planId', message: 'Unknown plan.' }]);
  return { plan, price };
}

const paymentsUnavailable = (deps: UseCaseDeps, what: string) => (err: Error) => {
  deps.logger.error({ err: { type: err.name, message: err.message } }, `stripe ${what} failed`);
  throw new AppError(
    502,
    'payments_unavailable',
    'Payments are unavailable right now. Please try again later.',
  );
};

export function subscriptionView(sub: Subscription): SubscriptionView {
  return {
    id: sub.id,
    plan: { ...findPlan(sub.planId)! },
    status: sub.status,
    currentPeriodStart: iso(sub.currentPeriodStart),
    currentPeriodEnd: iso(sub.currentPeriodEnd),
    cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
    endsAt: iso(sub.endsAt),
    cancelRequestedAt: iso(sub.cancelRequestedAt),
    endedAt: iso(sub.endedAt),
    endReason: sub.endReason ?? null,
    creditsGranted: sub.creditsGranted,
    createdAt: sub.createdAt.toISOString(),
  };
}

export function invoiceView(invoice: Invoice): InvoiceView {
  return {
    id: invoice.id,
    number: invoice.number ?? null,
    status: invoice.status ?? null,
    amountDue: invoice.amountDue,
    amountPaid: invoice.amountPaid,
    currency: invoice.currency,
    hostedInvoiceUrl: invoice.hostedInvoiceUrl ?? null,
    periodStart: iso(invoice.periodStart),
    periodEnd: iso(invoice.periodEnd),
    credits: invoice.credits,
    grant: invoice.grant,
    grantNote: invoice.grantNote ?? null,
    paidAt: iso(invoice.paidAt),
    createdAt: invoice.createdAt.toISOString(),
  };
}

/** My subscription (the running one, else the last one that started), its invoices, the plans. */
export async function mySubscription(deps: UseCaseDeps, actor: Actor): Promise<SubscriptionOverview> {
  const em = deps.orm.em.fork();
  const sub =
    (await liveSubscriptionOf(em, actor.id)) ??
    (await em.findOne(
      Subscription,
      { user: actor.id, status: { $nin: ['expired'] } },
      { orderBy: { createdAt: 'desc' } },
    ));
  const invoices = await invoicePage(em, actor, { limit: INVOICE_PAGE_SIZE });
  return {
    subscription: sub ? subscriptionView(sub) : null,
    invoices: invoices.invoices,
    invoicesNextCursor: invoices.nextCursor,
    plans: offeredPlans(deps).plans,
  };
}

/** A page of my invoices Stripe has reported a status for, newest first. */
async function invoicePage(em: EntityManager, actor: Actor, query: InvoiceListQuery): Promise<InvoiceList> {
  const { page, nextCursor } = await newestPage(
    em,
    Invoice,
    { user: actor.id, status: { $ne: null } },
    query,
  );
  return { invoices: page.map(invoiceView), nextCursor };
}

export const myInvoices = (deps: UseCaseDeps, actor: Actor, query: InvoiceListQuery): Promise<InvoiceList> =>
  invoicePage(deps.orm.em.fork(), actor, query);

/** A Checkout page in subscription mode for a plan; its webhook starts the subscription's workflow. */
export async function startSubscription(deps: UseCaseDeps, actor: Actor, body: PlanBody): Promise<Checkout> {
  const { plan, price } = offeredPlan(deps, body.planId);
  const em = deps.orm.em.fork();
  if (await liveSubscriptionOf(em, actor.id))
    throw conflict('subscription_exists', 'You already have a subscription: change its plan or cancel it.');
  const id = randomUUID();
  const site = deps.config.web.publicUrl;
  const session = await deps.stripe.checkout.sessions
    .create({
      mode: 'subscription',
      client_reference_id: id,
      line_items: [{ price, quantity: 1 }],
      // Our id travels with the subscription, so every later event names it.
      metadata: { subscriptionId: id, planId: plan.id },
      subscription_data: { metadata: { subscriptionId: id, planId: plan.id } },
      success_url: `${site}/credits?subscribed={CHECKOUT_SESSION_ID}`,
      cancel_url: `${site}/credits`,
    })
    .catch(paymentsUnavailable(deps, 'subscription checkout'));
  em.create(Subscription, {
    id,
    user: actor.id,
    planId: plan.id,
    status: 'pending',
    checkoutSessionId: session.id,
    cancelAtPeriodEnd: false,
    creditsGranted: 0,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await em.flush();
  await recordAudit(em, {
    action: 'billing.subscription_checkout_started',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'subscription',
    targetId: id,
    subjectUserId: actor.id,
    details: { plan: plan.id },
  });
  return { sessionId: session.id, url: session.url };
}

async function runningSubscription(
  deps: UseCaseDeps,
  actor: Actor,
): Promise<Subscription & { stripeSubscriptionId: string }> {
  const sub = await liveSubscriptionOf(deps.orm.em.fork(), actor.id);
  if (!sub) throw conflict('no_subscription', 'You have no running subscription.');
  if (!sub.stripeSubscriptionId)
    throw conflict(
      'subscription_starting',
      'Your subscription is still being set up. Try again in a moment.',
    );
  return sub as Subscription & { stripeSubscriptionId: string };
}

/**
 * Cancels at the end of the period already paid for: no further invoice, no further
 * grant. Stripe confirms it by webhook; the request is recorded at once for the site.
 */
export async function cancelMySubscription(deps: UseCaseDeps, actor: Actor): Promise<SubscriptionView> {
  const sub = await runningSubscription(deps, actor);
  if (!sub.cancelAtPeriodEnd && !sub.cancelRequestedAt) {
    await deps.stripe.subscriptions
      .update(sub.stripeSubscriptionId, { cancel_at_period_end: true })
      .catch(paymentsUnavailable(deps, 'subscription cancel'));
    const em = deps.orm.em.fork();
    await em.nativeUpdate(Subscription, { id: sub.id }, { cancelRequestedAt: new Date() });
    await recordAudit(em, {
      action: 'billing.subscription_cancel_requested',
      actorId: actor.id,
      actorRole: actor.role,
      targetType: 'subscription',
      targetId: sub.id,
      subjectUserId: actor.id,
      details: { plan: sub.planId },
    });
  }
  return subscriptionView(await deps.orm.em.fork().findOneOrFail(Subscription, { id: sub.id }));
}

/**
 * Moves the subscription to another plan now. Stripe prorates: an upgrade is invoiced at
 * once for the rest of the period (its invoice grants the prorated difference of credits);
 * a downgrade's unused time is credited to the next invoice. The plan shows once Stripe confirms.
 */
export async function changeMyPlan(
  deps: UseCaseDeps,
  actor: Actor,
  body: PlanBody,
): Promise<SubscriptionView> {
  const { plan, price } = offeredPlan(deps, body.planId);
  const sub = await runningSubscription(deps, actor);
  if (sub.planId === plan.id) return subscriptionView(sub);
  if (!sub.stripeItemId)
    throw conflict(
      'subscription_starting',
      'Your subscription is still being set up. Try again in a moment.',
    );
  await deps.stripe.subscriptions
    .update(sub.stripeSubscriptionId, {
      items: [{ id: sub.stripeItemId, price }],
      proration_behavior: 'always_invoice',
      metadata: { subscriptionId: sub.id, planId: plan.id },
    })
    .catch(paymentsUnavailable(deps, 'plan change'));
  await recordAudit(deps.orm.em.fork(), {
    action: 'billing.subscription_plan_change_requested',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'subscription',
    targetId: sub.id,
    subjectUserId: actor.id,
    details: { from: sub.planId, to: plan.id },
  });
  return subscriptionView(sub);
}

/** Stripe's customer portal for this visit: payment methods, invoices, cancellation. */
export async function openBillingPortal(deps: UseCaseDeps, actor: Actor): Promise<BillingPortal> {
  const sub = await deps.orm.em
    .fork()
    .findOne(
      Subscription,
      { user: actor.id, stripeCustomerId: { $ne: null } },
      { orderBy: { createdAt: 'desc' } },
    );
  if (!sub?.stripeCustomerId)
    throw conflict('no_subscription', 'There is no billing account to manage yet: subscribe first.');
  const session = await deps.stripe.billingPortal.sessions
    .create({ customer: sub.stripeCustomerId, return_url: `${deps.config.web.publicUrl}/credits` })
    .catch((err: Error) => {
      if (err instanceof Stripe.errors.StripeInvalidRequestError)
        throw conflict('no_subscription', 'Your billing account is no longer available at Stripe.');
      return paymentsUnavailable(deps, 'billing portal')(err);
    });
  return { url: session.url };
}
