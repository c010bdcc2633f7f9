// The monthly plans (D-SUBSCRIPTION): subscribing through Stripe Checkout in subscription
// mode (the card is typed on Stripe's page, never here: R-NOCARD), or, with a plan
// running, changing to another now, prorated by Stripe. Stripe sends the subscriber back
// to the credits page, where the plan shows once Stripe confirms it.
import { error, redirect } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, text } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import { PLAN_IDS, type PlanId } from '../../../../../domain/billing.ts';
import { LIVE_SUBSCRIPTION_STATUSES } from '../../../../../domain/subscription.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const result = await serverApi(event).billing.subscription();
  if (!result.ok) return { plans: [], current: null, loadError: friendlyMessage(result.problem) };
  const { subscription, plans } = result.data;
  const current =
    subscription && LIVE_SUBSCRIPTION_STATUSES.includes(subscription.status) ? subscription : null;
  return { plans, current, loadError: null };
};

const planOf = (form: FormData): PlanId | null => {
  const id = text(form, 'planId');
  return (PLAN_IDS as readonly string[]).includes(id) ? (id as PlanId) : null;
};

export const actions: Actions = {
  subscribe: formAction(async ({ form, api, csrf }) => {
    const planId = planOf(form);
    if (!planId) error(400, 'Choose one of the plans.');
    const result = await api.billing.subscribe(planId, csrf);
    if (!result.ok) return failure(result.problem, { planId });
    if (!result.data.url) error(502, 'The payment page could not be opened. Please try again.');
    redirect(303, result.data.url, { external: true });
  }),
  change: formAction(async ({ form, api, csrf }) => {
    const planId = planOf(form);
    if (!planId) error(400, 'Choose one of the plans.');
    const result = await api.billing.changePlan(planId, csrf);
    if (!result.ok) return failure(result.problem, { planId });
    redirect(303, '/credits?changed=1#plan');
  }),
};
