import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  // Consent is an explicit act: opening the link only shows this page, the button gives it.
  default: async (event) => {
    const form = await event.request.formData();
    if (form.get('consent') !== 'yes') {
      return failure(
        {
          status: 400,
          code: 'invalid_request',
          message: '',
          fields: { consent: 'Tick the box to give your consent.' },
        },
        {},
      );
    }
    const result = await serverApi(event).accounts.confirmParentalConsent(text(form, 'token'), csrfOf(form));
    if (!result.ok) return failure(result.problem);
    return { confirmed: result.data.message };
  },
};
