import { fail, redirect } from '@sveltejs/kit';
import { POLICY_VERSION } from '#lib/policy/words.ts';
import { homeRoute } from '#lib/nav.ts';
import { serverApi } from '#lib/server/api.ts';
import { afterSignIn, csrfOf, failure, raw, text } from '#lib/server/forms.ts';
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
    const values = {
      name: text(form, 'name'),
      email: text(form, 'email'),
      dateOfBirth: text(form, 'dateOfBirth'),
      parentEmail: text(form, 'parentEmail'),
    };
    const result = await serverApi(event).accounts.signUp(
      {
        name: values.name,
        email: values.email,
        password: raw(form, 'password'),
        dateOfBirth: values.dateOfBirth,
        parentEmail: values.parentEmail || undefined,
        // Unticked: no version, and the API names the field.
        acceptPolicyVersion: form.get('acceptPolicyVersion') === POLICY_VERSION ? POLICY_VERSION : '',
      },
      csrfOf(form),
    );
    if (!result.ok) {
      if (result.problem.code === 'age_requirement') {
        // D-MINOR: nothing typed by someone under age is kept, not even in the page.
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
    redirect(
      303,
      `/check-email?for=${result.data.status === 'awaiting_parental_consent' ? 'minor' : 'verify'}`,
    );
  },
};
