import { redirect } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, raw, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  request: async (event) => {
    const form = await event.request.formData();
    const email = text(form, 'email');
    const result = await serverApi(event).accounts.requestPasswordReset(email, csrfOf(form));
    if (!result.ok) return failure(result.problem, { email }, { form: 'request' });
    redirect(303, '/check-email?for=reset');
  },
  confirm: async (event) => {
    const form = await event.request.formData();
    const result = await serverApi(event).accounts.confirmPasswordReset(
      { token: text(form, 'token'), newPassword: raw(form, 'newPassword') },
      csrfOf(form),
    );
    if (!result.ok) return failure(result.problem, {}, { form: 'confirm' });
    // Every session was ended, this browser's too.
    redirect(303, '/sign-in?reset=1');
  },
};
