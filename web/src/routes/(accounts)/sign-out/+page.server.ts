// Signing out is a POST (a link could be triggered by any page); the header's button posts here.
import { redirect } from '@sveltejs/kit';
import { failure, formAction } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => {
  const { user } = await parent();
  if (!user) redirect(303, '/');
  return {};
};

export const actions: Actions = {
  default: formAction(async ({ api, csrf }) => {
    const result = await api.accounts.signOut(csrf);
    // Already signed out (an expired session) is where the user wanted to be.
    if (!result.ok && result.problem.code !== 'unauthenticated') return failure(result.problem);
    redirect(303, '/?signedOut=1');
  }),
};
