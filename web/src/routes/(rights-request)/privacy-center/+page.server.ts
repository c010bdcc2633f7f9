// The privacy center: the person's consents, the restriction and objection switches
// (D-CONSENT, D-RESTRICT, D-OBJECT), the policy version they accepted (D-POLICY) and their
// rights requests with deadlines (D-CLOCK), newest first, a page at a time. Every switch is a form action calling the API.
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, text } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import { must } from '#lib/server/results.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const me = await requireUser(event);
  const api = serverApi(event);
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const [settings, requests, openDeletion] = await Promise.all([
    api.consent.settings(),
    api.rightsRequest.requests({ cursor }),
    api.rightsRequest.openDeletion(),
  ]);
  return {
    me,
    settings: must(settings),
    requests: requests.ok ? requests.data.requests : [],
    nextCursor: requests.ok ? requests.data.nextCursor : null,
    /** An older page of requests: it links back to the newest. */
    older: Boolean(cursor),
    requestsError: requests.ok ? null : friendlyMessage(requests.problem),
    openDeletion: openDeletion.ok ? openDeletion.data : null,
  };
};

/** A switch's form: its purpose (when it has several) and the state it asks for, or null when tampered with. */
function switchOf(form: FormData, purposes: readonly string[] | null, prefix: string) {
  const purpose = text(form, 'purpose');
  const value = text(form, 'value');
  const on = value === 'on' ? true : value === 'off' ? false : null;
  const which = purposes ? `${prefix}-${purpose}` : prefix;
  const ok = on !== null && (!purposes || purposes.includes(purpose));
  return { purpose, on: on ?? false, which, ok };
}

const onOrOff = (which: string) => invalid({}, {}, { form: which, message: 'Choose on or off.' });

export const actions: Actions = {
  /** D-CONSENT: analytics cookies and marketing email, opt-in, withdrawn at any time. */
  consent: formAction(async ({ form, api, csrf }) => {
    const { purpose, on, which, ok } = switchOf(form, ['analytics', 'marketing_email'], 'consent');
    if (!ok) return onOrOff(which);
    const analytics = purpose === 'analytics';
    const result = await api.consent.save(
      analytics
        ? { analytics: on, source: 'privacy_center' }
        : { marketingEmail: on, source: 'privacy_center' },
      csrf,
    );
    if (!result.ok) return failure(result.problem, {}, { form: which });
    const saved = analytics
      ? on
        ? 'Analytics are allowed. Thank you.'
        : 'Analytics are off from now on.'
      : on
        ? 'You will get our marketing email.'
        : 'No more marketing email. Account emails continue.';
    return { form: which, saved };
  }),

  /** D-RESTRICT: storage only, no new generation, uploads or analytics. */
  restriction: formAction(async ({ form, api, csrf }) => {
    const { on, which, ok } = switchOf(form, null, 'restriction');
    if (!ok) return onOrOff(which);
    const result = await api.consent.setRestriction(on, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: which });
    const saved = on
      ? 'Processing is restricted: we keep your data but do not use it until you lift the restriction.'
      : 'The restriction is lifted: you can create videos again.';
    return { form: which, saved };
  }),

  /** D-OBJECT: analytics or direct marketing about the person stop. */
  objection: formAction(async ({ form, api, csrf }) => {
    const { purpose, on, which, ok } = switchOf(form, ['analytics', 'marketing'], 'objection');
    if (!ok) return onOrOff(which);
    const result = await api.consent.setObjection({ [purpose]: on }, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: which });
    const saved = on
      ? `Your objection is recorded: no ${purpose === 'analytics' ? 'analytics' : 'marketing'} about you from now on.`
      : 'Your objection is withdrawn.';
    return { form: which, saved };
  }),
};
