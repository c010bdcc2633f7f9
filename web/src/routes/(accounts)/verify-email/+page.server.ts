// Confirming an email address by the emailed link: opening it shows the page, whose form
// (sent by itself with JavaScript, by one press without) confirms it.
import { failure, formAction, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: formAction(async ({ form, api, csrf }) => {
    const result = await api.accounts.verifyEmail(text(form, 'token'), csrf);
    if (!result.ok) return failure(result.problem);
    return { saved: result.data.message };
  }),
};
