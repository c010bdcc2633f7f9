// Every page knows who is signed in and carries a CSRF token for its forms: one call to
// the API per page load, and again after each form submission. The visitor's cookie
// choices come with it, so the banner (D-CONSENT) is part of the page before JavaScript.
import { serverApi } from '#lib/server/api.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => {
  const api = serverApi(event);
  const [result, consents] = await Promise.all([api.accounts.session(), api.consent.consents()]);
  if (!result.ok) return { user: null, csrfToken: '', apiAvailable: false, consents: null };
  return {
    user: result.data.user,
    csrfToken: result.data.csrfToken,
    apiAvailable: true,
    consents: consents.ok ? consents.data : null,
  };
};
