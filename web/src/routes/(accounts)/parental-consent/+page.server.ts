// A parent's or guardian's consent for someone under 18 (D-MINOR), by the emailed link.
import { failure, formAction, invalid, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  // Consent is an explicit act: opening the link only shows this page, the button gives it.
  default: formAction(async ({ form, api, csrf }) => {
    if (form.get('consent') !== 'yes') return invalid({ consent: 'Tick the box to give your consent.' });
    const result = await api.accounts.confirmParentalConsent(text(form, 'token'), csrf);
    if (!result.ok) return failure(result.problem);
    return { saved: result.data.message };
  }),
};
