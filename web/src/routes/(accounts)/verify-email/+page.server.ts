import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const result = await serverApi(event).accounts.verifyEmail(text(form, 'token'), csrfOf(form));
    if (!result.ok) return failure(result.problem);
    return { confirmed: result.data.message };
  },
};
