// Making a rights request (D-ACCESS, D-PORT, D-RECTIFY, D-RESTRICT, D-OBJECT, D-CONSENT):
// the type and the law that times it, each explained on the page; the API emails a code
// to confirm it (D-VERIFY), which the request's own page asks for next.
import { redirect } from '@sveltejs/kit';
import { JURISDICTIONS, type Jurisdiction } from '../../../../../domain/rights-request.ts';
import { privacyApi } from '#lib/privacy/api.ts';
import type { NewRequestBody } from '#lib/privacy/types.ts';
import { FORM_REQUEST_TYPES } from '#lib/privacy/words.ts';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, invalid, text } from '#lib/server/forms.ts';
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

export const actions: Actions = {
  create: async (event) => {
    const form = await event.request.formData();
    const values = {
      type: text(form, 'type'),
      jurisdiction: text(form, 'jurisdiction'),
      correctName: text(form, 'correctName'),
      correctDateOfBirth: text(form, 'correctDateOfBirth'),
      objectionPurposes: form.getAll('objectionPurposes').map(String).join(','),
      withdrawPurposes: form.getAll('withdrawPurposes').map(String).join(','),
    };
    const fields: Record<string, string> = {};
    if (!isFormType(values.type)) fields.type = 'Choose what you are asking for.';
    if (!isJurisdiction(values.jurisdiction)) fields.jurisdiction = 'Choose where you live.';
    const body: Partial<NewRequestBody> = {};
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
    if (values.type === 'objection') {
      const purposes = values.objectionPurposes
        .split(',')
        .filter((p) => p === 'analytics' || p === 'marketing');
      if (!purposes.length) fields.objectionPurposes = 'Choose analytics, marketing or both.';
      body.purposes = purposes;
    }
    if (values.type === 'consent_withdrawal') {
      const purposes = values.withdrawPurposes
        .split(',')
        .filter((p) => p === 'analytics' || p === 'marketing_email');
      if (!purposes.length) fields.withdrawPurposes = 'Choose analytics, marketing email or both.';
      body.purposes = purposes;
    }
    if (Object.keys(fields).length) return invalid(fields, values);

    const result = await privacyApi(serverApi(event)).createRequest(
      { ...body, type: values.type as FormType, jurisdiction: values.jurisdiction as Jurisdiction },
      csrfOf(form),
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
  },
};
