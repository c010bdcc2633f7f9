// Credits: the balance and the ledger behind it, newest first, a page at a time; buying a
// pack through Stripe Checkout (the card is typed on Stripe's page, never here: R-NOCARD),
// and the page Stripe sends the buyer back to (`?paid=<session>`), which says whether the
// payment has been confirmed yet. My plan (D-SUBSCRIPTION): its status, its invoices with
// Stripe's pages, Stripe's customer portal and cancelling at period end; and my purchase
// history (the newest of each list here, older ones on their own pages). Stripe sends a new subscriber back here (`?subscribed=<session>`).
import { error, redirect } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, text } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event).billing;
  const before = Number(event.url.searchParams.get('before'));
  const paged = Number.isInteger(before) && before > 0;
  const paid = event.url.searchParams.get('paid');
  const [credits, packs, payment, subscription, payments] = await Promise.all([
    api.credits({ before: paged ? before : undefined }),
    api.packs(),
    paid ? api.payment(paid) : Promise.resolve(null),
    api.subscription(),
    api.payments(),
  ]);
  return {
    credits: credits.ok ? credits.data : null,
    paged,
    packs: packs.ok ? packs.data.packs : [],
    payment: payment?.ok ? payment.data : null,
    paymentMissing: Boolean(paid) && !payment?.ok,
    subscription: subscription.ok ? subscription.data.subscription : null,
    invoices: subscription.ok ? subscription.data.invoices : [],
    invoicesNextCursor: subscription.ok ? subscription.data.invoicesNextCursor : null,
    purchases: payments.ok ? payments.data.payments : [],
    purchasesNextCursor: payments.ok ? payments.data.nextCursor : null,
    subscribed: event.url.searchParams.has('subscribed'),
    changed: event.url.searchParams.has('changed'),
  };
};

export const actions: Actions = {
  buy: formAction(async ({ form, api, csrf }) => {
    const packId = text(form, 'packId');
    const result = await api.billing.checkout(packId, csrf);
    if (!result.ok) return failure(result.problem, { packId }, { form: 'buy' });
    // Stripe's own page, from our API's answer (a hosted Checkout always has one).
    if (!result.data.url) error(502, 'The payment page could not be opened. Please try again.');
    redirect(303, result.data.url, { external: true });
  }),
  /** Stripe's customer portal, for this visit: payment methods, invoices. */
  portal: formAction(async ({ api, csrf }) => {
    const result = await api.billing.portal(csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'portal' });
    redirect(303, result.data.url, { external: true });
  }),
  /** Cancels at the end of the period already paid for (Stripe confirms it a moment later). */
  cancel: formAction(async ({ api, csrf }) => {
    const result = await api.billing.cancelSubscription(csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'cancel' });
    return { form: 'cancel', saved: 'Cancelled.' };
  }),
};
