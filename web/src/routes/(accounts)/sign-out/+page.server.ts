// Signing out is a POST (a link could be triggered by any page); the header's button posts here.
import { redirect } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => {
  const { user } = await parent();
  if (!user) redirect(303, '/');
  return {};
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const result = await serverApi(event).accounts.signOut(csrfOf(form));
    // Already signed out (an expired session) is where the user wanted to be.
    if (!result.ok && result.problem.code !== 'unauthenticated') return failure(result.problem);
    redirect(303, '/?signedOut=1');
  },
};
