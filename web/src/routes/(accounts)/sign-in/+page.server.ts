// Signing in with a password (or, where offered, with Google); then on to a parent's
// consent, the two-factor code or where the person was going.
import { redirect } from '@sveltejs/kit';
import { homeRoute } from '#lib/nav.ts';
import { afterSignIn, failure, formAction, raw, safeNext, text } from '#lib/server/forms.ts';
import { signedOutOnly } from '#lib/server/guards.ts';
import { serverApi } from '#lib/server/api.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await signedOutOnly(event);
  return { providers: await serverApi(event).accounts.providers() };
};

export const actions: Actions = {
  default: formAction(async ({ event, form, api, csrf }) => {
    const email = text(form, 'email');
    const result = await api.accounts.signIn({ email, password: raw(form, 'password') }, csrf);
    if (!result.ok) return failure(result.problem, { email });
    const { user } = result.data;
    if (!user) return failure({ status: 500, code: 'internal', message: '', fields: {} }, { email });
    redirect(303, afterSignIn(user, safeNext(event.url.searchParams.get('next')), homeRoute()));
  }),
};
