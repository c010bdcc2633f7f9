import { redirect } from '@sveltejs/kit';
import { homeRoute } from '#lib/nav.ts';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, safeNext, text, toSignIn } from '#lib/server/forms.ts';
import type { MfaProof } from '#lib/accounts/types.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ parent, url }) => {
  const { user } = await parent();
  if (!user) toSignIn(url);
  const next = safeNext(url.searchParams.get('next')) ?? homeRoute();
  if (!user.mfaEnabled) redirect(303, next);
  if (user.mfaVerified) redirect(303, next);
  return {};
};

async function verify(event: RequestEvent, form: FormData, proof: MfaProof, which: 'code' | 'recovery') {
  const result = await serverApi(event).accounts.verifyMfa(proof, csrfOf(form));
  if (!result.ok) {
    const field = which === 'code' ? 'code' : 'recoveryCode';
    return failure(result.problem, {}, { form: which, codeFields: { invalid_code: field } });
  }
  redirect(303, safeNext(event.url.searchParams.get('next')) ?? homeRoute());
}

export const actions: Actions = {
  code: async (event) => {
    const form = await event.request.formData();
    return verify(event, form, { code: text(form, 'code').replace(/\s+/g, '') }, 'code');
  },
  recovery: async (event) => {
    const form = await event.request.formData();
    return verify(event, form, { recoveryCode: text(form, 'recoveryCode') }, 'recovery');
  },
};
