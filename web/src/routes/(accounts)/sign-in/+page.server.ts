import { redirect } from '@sveltejs/kit';
import { homeRoute } from '#lib/nav.ts';
import { serverApi } from '#lib/server/api.ts';
import { afterSignIn, csrfOf, failure, raw, safeNext, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { user } = await event.parent();
  const next = safeNext(event.url.searchParams.get('next'));
  if (user) redirect(303, afterSignIn(user, next, homeRoute()));
  const providers = await serverApi(event).accounts.providers();
  return { providers };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const email = text(form, 'email');
    const result = await serverApi(event).accounts.signIn(
      { email, password: raw(form, 'password') },
      csrfOf(form),
    );
    if (!result.ok) return failure(result.problem, { email });
    const { user } = result.data;
    if (!user) return failure({ status: 500, code: 'internal', message: '', fields: {} }, { email });
    redirect(303, afterSignIn(user, safeNext(event.url.searchParams.get('next')), homeRoute()));
  },
};
