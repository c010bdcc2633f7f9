// The end of a first "Sign in with Google": Google told us who you are; the age gate and
// the policy still apply before an account exists (D-MINOR).
import { fail, redirect } from '@sveltejs/kit';
import { homeRoute } from '#lib/nav.ts';
import { POLICY_VERSION } from '#lib/policy/words.ts';
import { serverApi } from '#lib/server/api.ts';
import { afterSignIn, csrfOf, failure, text } from '#lib/server/forms.ts';
import type { FormFailure } from '#lib/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => {
  const { user } = await parent();
  if (user) redirect(303, afterSignIn(user, undefined, homeRoute()));
  return {};
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const values = { dateOfBirth: text(form, 'dateOfBirth'), parentEmail: text(form, 'parentEmail') };
    const result = await serverApi(event).accounts.completeGoogleSignUp(
      {
        dateOfBirth: values.dateOfBirth,
        parentEmail: values.parentEmail || undefined,
        acceptPolicyVersion: form.get('acceptPolicyVersion') === POLICY_VERSION ? POLICY_VERSION : '',
      },
      csrfOf(form),
    );
    if (!result.ok) {
      if (result.problem.code === 'age_requirement') {
        const refused: FormFailure = {
          code: 'age_requirement',
          message: result.problem.message,
          fields: {},
          values: {},
        };
        return fail(403, refused);
      }
      return failure(result.problem, values);
    }
    redirect(303, afterSignIn(result.data.user, undefined, homeRoute()));
  },
};
