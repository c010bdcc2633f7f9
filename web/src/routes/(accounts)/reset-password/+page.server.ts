// A forgotten password: ask for an emailed link (the answer never says whether the address
// is known), then choose a new password from that link; every session ends.
import { redirect } from '@sveltejs/kit';
import { failure, formAction, raw, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  request: formAction(async ({ form, api, csrf }) => {
    const email = text(form, 'email');
    const result = await api.accounts.requestPasswordReset(email, csrf);
    if (!result.ok) return failure(result.problem, { email }, { form: 'request' });
    redirect(303, '/check-email?for=reset');
  }),
  confirm: formAction(async ({ form, api, csrf }) => {
    const body = { token: text(form, 'token'), newPassword: raw(form, 'newPassword') };
    const result = await api.accounts.confirmPasswordReset(body, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'confirm' });
    // Every session was ended, this browser's too.
    redirect(303, '/sign-in?reset=1');
  }),
};
