// The privacy center: the person's consents, the restriction and objection switches
// (D-CONSENT, D-RESTRICT, D-OBJECT), the policy version they accepted (D-POLICY) and their
// rights requests with deadlines (D-CLOCK). Every switch is a form action calling the API.
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, invalid, text } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const me = await requireUser(event);
  const api = serverApi(event).rightsRequest;
  const [settings, requests] = await Promise.all([api.settings(), api.requests()]);
  if (!settings.ok) {
    error(settings.problem.status >= 400 ? settings.problem.status : 503, friendlyMessage(settings.problem));
  }
  return {
    me,
    settings: settings.data,
    requests: requests.ok ? requests.data.requests : [],
    requestsError: requests.ok ? null : friendlyMessage(requests.problem),
  };
};

/** `on` or `off` from a switch, or null when the form was tampered with. */
function switchValue(form: FormData): boolean | null {
  const value = text(form, 'value');
  return value === 'on' ? true : value === 'off' ? false : null;
}

export const actions: Actions = {
  /** D-CONSENT: analytics cookies and marketing email, opt-in, withdrawn at any time. */
  consent: async (event) => {
    const form = await event.request.formData();
    const purpose = text(form, 'purpose');
    const value = switchValue(form);
    const which = `consent-${purpose}`;
    if ((purpose !== 'analytics' && purpose !== 'marketing_email') || value === null) {
      return invalid({}, {}, { form: which, message: 'Choose on or off.' });
    }
    const result = await serverApi(event).consent.save(
      purpose === 'analytics'
        ? { analytics: value, source: 'privacy_center' }
        : { marketingEmail: value, source: 'privacy_center' },
      csrfOf(form),
    );
    if (!result.ok) return failure(result.problem, {}, { form: which });
    return {
      form: which,
      saved:
        purpose === 'analytics'
          ? value
            ? 'Analytics are allowed. Thank you.'
            : 'Analytics are off from now on.'
          : value
            ? 'You will get our marketing email.'
            : 'No more marketing email. Account emails continue.',
    };
  },

  /** D-RESTRICT: storage only, no new generation, uploads or analytics. */
  restriction: async (event) => {
    const form = await event.request.formData();
    const value = switchValue(form);
    if (value === null) return invalid({}, {}, { form: 'restriction', message: 'Choose on or off.' });
    const result = await serverApi(event).rightsRequest.setRestriction(value, csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: 'restriction' });
    return {
      form: 'restriction',
      saved: value
        ? 'Processing is restricted: we keep your data but do not use it until you lift the restriction.'
        : 'The restriction is lifted: you can create videos again.',
    };
  },

  /** D-OBJECT: analytics or direct marketing about the person stop. */
  objection: async (event) => {
    const form = await event.request.formData();
    const purpose = text(form, 'purpose');
    const value = switchValue(form);
    const which = `objection-${purpose}`;
    if ((purpose !== 'analytics' && purpose !== 'marketing') || value === null) {
      return invalid({}, {}, { form: which, message: 'Choose on or off.' });
    }
    const result = await serverApi(event).rightsRequest.setObjection({ [purpose]: value }, csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: which });
    return {
      form: which,
      saved: value
        ? `Your objection is recorded: no ${purpose === 'analytics' ? 'analytics' : 'marketing'} about you from now on.`
        : 'Your objection is withdrawn.',
    };
  },
};
