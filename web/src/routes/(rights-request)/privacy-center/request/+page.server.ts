// Making a rights request (D-ACCESS, D-PORT, D-RECTIFY, D-RESTRICT, D-OBJECT, D-CONSENT):
// the type and the law that times it, each explained on the page; the API emails a code
// to confirm it (D-VERIFY), which the request's own page asks for next.
import { redirect } from '@sveltejs/kit';
import { JURISDICTIONS, type Jurisdiction } from '../../../../../../domain/rights-request.ts';
import type { CreateRequestBody } from '#lib/rights-request/types.ts';
import { FORM_REQUEST_TYPES } from '#lib/rights-request/words.ts';
import { failure, formAction, invalid, texts } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

type FormType = (typeof FORM_REQUEST_TYPES)[number];
const isFormType = (v: string): v is FormType => (FORM_REQUEST_TYPES as readonly string[]).includes(v);
const isJurisdiction = (v: string): v is Jurisdiction => (JURISDICTIONS as readonly string[]).includes(v);

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const asked = event.url.searchParams.get('type') ?? '';
  // Deleting the account has its own page, with what it means and a confirmation.
  if (asked === 'deletion') redirect(303, '/privacy-center/delete');
  return { type: isFormType(asked) ? asked : null };
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The requests that name what they are about: which purposes each may name, in which field. */
const PURPOSES = {
  objection: {
    field: 'objectionPurposes',
    allowed: ['analytics', 'marketing'],
    missing: 'Choose analytics, marketing or both.',
  },
  consent_withdrawal: {
    field: 'withdrawPurposes',
    allowed: ['analytics', 'marketing_email'],
    missing: 'Choose analytics, marketing email or both.',
  },
} as const satisfies Partial<
  Record<FormType, { field: string; allowed: readonly string[]; missing: string }>
>;

export const actions: Actions = {
  create: formAction(async ({ form, api, csrf }) => {
    const values = {
      ...texts(form, ['type', 'jurisdiction', 'correctName', 'correctDateOfBirth']),
      objectionPurposes: form.getAll('objectionPurposes').map(String).join(','),
      withdrawPurposes: form.getAll('withdrawPurposes').map(String).join(','),
    };
    const fields: Record<string, string> = {};
    if (!isFormType(values.type)) fields.type = 'Choose what you are asking for.';
    if (!isJurisdiction(values.jurisdiction)) fields.jurisdiction = 'Choose where you live.';
    const body: Partial<CreateRequestBody> = {};
    if (values.type === 'rectification') {
      if (!values.correctName && !values.correctDateOfBirth) {
        fields.correctName = 'Say what should be corrected: your name, your date of birth, or both.';
      }
      if (values.correctDateOfBirth && !DATE.test(values.correctDateOfBirth)) {
        fields.correctDateOfBirth = 'Enter the date as year-month-day, e.g. 1990-05-17.';
      }
      body.corrections = {
        ...(values.correctName ? { name: values.correctName } : {}),
        ...(values.correctDateOfBirth ? { dateOfBirth: values.correctDateOfBirth } : {}),
      };
    }
    const asked = PURPOSES[values.type as keyof typeof PURPOSES];
    if (asked) {
      body.purposes = values[asked.field]
        .split(',')
        .filter((p) => (asked.allowed as readonly string[]).includes(p));
      if (!body.purposes.length) fields[asked.field] = asked.missing;
    }
    if (Object.keys(fields).length) return invalid(fields, values);

    const result = await api.rightsRequest.create(
      { ...body, type: values.type as FormType, jurisdiction: values.jurisdiction as Jurisdiction },
      csrf,
    );
    if (!result.ok) {
      return failure(result.problem, values, {
        fieldAliases: {
          corrections: 'correctName',
          'corrections.name': 'correctName',
          'corrections.dateOfBirth': 'correctDateOfBirth',
          purposes: values.type === 'objection' ? 'objectionPurposes' : 'withdrawPurposes',
        },
      });
    }
    redirect(303, `/privacy/requests/${result.data.id}?made=1`);
  }),
};
