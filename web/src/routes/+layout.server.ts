// Every page knows who is signed in and carries a CSRF token for its forms: one call to
// the API per page load, and again after each form submission.
import { serverApi } from '#lib/server/api.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => {
  const result = await serverApi(event).session();
  if (!result.ok) return { user: null, csrfToken: '', apiAvailable: false };
  return { user: result.data.user, csrfToken: result.data.csrfToken, apiAvailable: true };
};
