// The end of a first "Sign in with Google": Google told us who you are; the age gate and
// the policy still apply before an account exists (D-MINOR).
import { redirect } from '@sveltejs/kit';
import { ageAndPolicy, signUpFailure } from '#lib/accounts/sign-up.server.ts';
import { homeRoute } from '#lib/nav.ts';
import { afterSignIn, formAction } from '#lib/server/forms.ts';
import { signedOutPage } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = signedOutPage;

export const actions: Actions = {
  default: formAction(async ({ form, api, csrf }) => {
    const { values, body } = ageAndPolicy(form);
    const result = await api.accounts.completeGoogleSignUp(body, csrf);
    if (!result.ok) return signUpFailure(result.problem, values);
    redirect(303, afterSignIn(result.data.user, undefined, homeRoute()));
  }),
};
