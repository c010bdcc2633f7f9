// D-POLICY: the page people are sent to when the API answers `policy_acceptance_required`
// (#lib/policy/gate.ts). It shows what changed and records the acceptance, then
// goes back to where they were. It calls only what the policy gate lets through.
import { error, redirect } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, invalid, safeNext, text } from '#lib/server/forms.ts';
import { homeRoute } from '#lib/nav.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { user } = await event.parent();
  const policy = await serverApi(event).policy.policy();
  if (!policy.ok)
    error(policy.problem.status >= 400 ? policy.problem.status : 503, friendlyMessage(policy.problem));
  return {
    policy: policy.data,
    signedIn: Boolean(user),
    next: safeNext(event.url.searchParams.get('next')) ?? null,
  };
};

export const actions: Actions = {
  accept: async (event) => {
    const form = await event.request.formData();
    const version = text(form, 'version');
    const values = { version };
    if (form.get('agree') !== 'yes') {
      return invalid(
        { agree: 'Tick the box to accept the policy, or sign out if you do not agree.' },
        values,
      );
    }
    const result = await serverApi(event).policy.accept(version, csrfOf(form));
    if (!result.ok) {
      return failure(result.problem, values, { fieldAliases: { version: 'agree' } });
    }
    redirect(303, safeNext(text(form, 'next')) ?? homeRoute());
  },
};
