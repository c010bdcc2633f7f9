// D-POLICY: the page people are sent to when the API answers `policy_acceptance_required`
// (#lib/policy/gate.ts). It shows what changed and records the acceptance, then goes back
// to where they were. It calls only what the policy gate lets through.
import { redirect } from '@sveltejs/kit';
import { homeRoute } from '#lib/nav.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, safeNext, text } from '#lib/server/forms.ts';
import { must } from '#lib/server/results.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { user } = await event.parent();
  return {
    policy: must(await serverApi(event).policy.policy()),
    signedIn: Boolean(user),
    next: safeNext(event.url.searchParams.get('next')) ?? null,
  };
};

export const actions: Actions = {
  accept: formAction(async ({ form, api, csrf }) => {
    const values = { version: text(form, 'version') };
    if (form.get('agree') !== 'yes') {
      return invalid(
        { agree: 'Tick the box to accept the policy, or sign out if you do not agree.' },
        values,
      );
    }
    const result = await api.policy.accept(values.version, csrf);
    if (!result.ok) return failure(result.problem, values, { fieldAliases: { version: 'agree' } });
    redirect(303, safeNext(text(form, 'next')) ?? homeRoute());
  }),
};
