// The second step of signing in (S-MFA): a code from the authenticator app, or a recovery
// code; then on to where the person was going.
import { redirect } from '@sveltejs/kit';
import type { MfaProof } from '#lib/accounts/types.ts';
import { homeRoute } from '#lib/nav.ts';
import { failure, formAction, safeNext, text, toSignIn, type ActionContext } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent, url }) => {
  const { user } = await parent();
  if (!user) toSignIn(url);
  if (!user.mfaEnabled || user.mfaVerified)
    redirect(303, safeNext(url.searchParams.get('next')) ?? homeRoute());
  return {};
};

const verify = (which: 'code' | 'recoveryCode', proof: (form: FormData) => MfaProof) =>
  formAction(async ({ event, form, api, csrf }: ActionContext) => {
    const result = await api.accounts.verifyMfa(proof(form), csrf);
    if (!result.ok) return failure(result.problem, {}, { form: which, codeFields: { invalid_code: which } });
    redirect(303, safeNext(event.url.searchParams.get('next')) ?? homeRoute());
  });

export const actions: Actions = {
  code: verify('code', (form) => ({ code: text(form, 'code').replace(/\s+/g, '') })),
  recovery: verify('recoveryCode', (form) => ({ recoveryCode: text(form, 'recoveryCode') })),
};
