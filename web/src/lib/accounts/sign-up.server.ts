// What every sign-up action shares, with a password or with Google (D-MINOR, D-POLICY):
// the age and policy fields, and the answer to someone under age, which keeps nothing
// they typed, not even in the page.
import { fail } from '@sveltejs/kit';
import type { ApiProblem } from '../api/errors.ts';
import type { FormFailure } from '../forms.ts';
import { POLICY_VERSION } from '../policy/words.ts';
import { failure, texts } from '../server/forms.ts';

export function ageAndPolicy(form: FormData) {
  const values = texts(form, ['dateOfBirth', 'parentEmail']);
  return {
    values,
    body: {
      dateOfBirth: values.dateOfBirth,
      parentEmail: values.parentEmail || undefined,
      // Unticked: no version, and the API names the field.
      acceptPolicyVersion: form.get('acceptPolicyVersion') === POLICY_VERSION ? POLICY_VERSION : '',
    },
  };
}

export function signUpFailure(problem: ApiProblem, values: Record<string, string>) {
  if (problem.code !== 'age_requirement') return failure(problem, values);
  const refused: FormFailure = { code: problem.code, message: problem.message, fields: {}, values: {} };
  return fail(403, refused);
}
