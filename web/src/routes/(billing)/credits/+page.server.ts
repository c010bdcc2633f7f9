// Credits: the balance and the ledger behind it, newest first, a page at a time; buying a
// pack through Stripe Checkout (the card is typed on Stripe's page, never here: R-NOCARD),
// and the page Stripe sends the buyer back to (`?paid=<session>`), which says whether the
// payment has been confirmed yet.
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
  const [credits, packs, payment] = await Promise.all([
    api.credits({ limit: 50, before: paged ? before : undefined }),
    api.packs(),
    paid ? api.payment(paid) : Promise.resolve(null),
  ]);
  return {
    credits: credits.ok ? credits.data : null,
    paged,
    packs: packs.ok ? packs.data.packs : [],
    payment: payment?.ok ? payment.data : null,
    paymentMissing: Boolean(paid) && !payment?.ok,
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
};
