// Signing up with a password (D-MINOR: the age gate; D-POLICY: the policy accepted), then
// the email to confirm the address, and a parent's for someone under 18.
import { redirect } from '@sveltejs/kit';
import { ageAndPolicy, signUpFailure } from '#lib/accounts/sign-up.server.ts';
import { formAction, raw, texts } from '#lib/server/forms.ts';
import { signedOutPage } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = signedOutPage;

export const actions: Actions = {
  default: formAction(async ({ form, api, csrf }) => {
    const { values, body } = ageAndPolicy(form);
    const who = texts(form, ['name', 'email']);
    const result = await api.accounts.signUp({ ...body, ...who, password: raw(form, 'password') }, csrf);
    if (!result.ok) return signUpFailure(result.problem, { ...values, ...who });
    const minor = result.data.status === 'awaiting_parental_consent';
    redirect(303, `/check-email?for=${minor ? 'minor' : 'verify'}`);
  }),
};
