// Cookie settings (D-CONSENT): the place to change the banner's answer later, linked from
// every page's footer and from account settings. The banner posts here too when the
// browser runs no JavaScript, and is sent back to the page it was on.
import { redirect } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, safeNext, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

/** The choice as the API has it now (the banner may have changed it since the page's layout loaded). */
export const load: PageServerLoad = async (event) => {
  const consents = await serverApi(event).consent.consents();
  return { current: consents.ok ? consents.data : null };
};

export const actions: Actions = {
  save: formAction(async ({ form, api, csrf }) => {
    const choice = text(form, 'analytics');
    if (choice !== 'on' && choice !== 'off') {
      return invalid({ analytics: 'Choose whether to allow analytics.' }, {}, { form: 'cookies' });
    }
    const source = text(form, 'source') === 'banner' ? 'banner' : 'settings';
    const result = await api.consent.save({ analytics: choice === 'on', source }, csrf);
    if (!result.ok) return failure(result.problem, { analytics: choice }, { form: 'cookies' });
    const next = safeNext(text(form, 'next'));
    if (next) redirect(303, next);
    return {
      form: 'cookies',
      saved:
        choice === 'on' ? 'Saved: analytics are on. Thank you.' : 'Saved: only essential cookies are used.',
    };
  }),
};
