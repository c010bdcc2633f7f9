// One rights request, for its owner: this is the page the emails link to. It asks for the
// emailed code while the request waits for it (D-VERIFY: resend, tries left), then shows
// the deadline (D-CLOCK), each step of the workflow, the export to download (D-ACCESS,
// D-PORT) and, while nothing has started, a way to cancel.
import { redirect } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, text, toSignIn, type ActionContext } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import { must } from '#lib/server/results.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

/**
 * An account deletion signs its owner out everywhere as one of its first steps: once that
 * has happened, the deletion's page (`?deleting`) moves on to its signed-out view.
 */
const signedOutView = (id: string) => `/privacy/requests/${id}/certificate`;

export const load: PageServerLoad = async (event) => {
  const deleting = event.url.searchParams.has('deleting');
  const { user } = await event.parent();
  if (!user && deleting) redirect(303, signedOutView(event.params.id));
  const me = await requireUser(event);
  const result = await serverApi(event).rightsRequest.request(event.params.id);
  if (!result.ok && result.problem.status === 401) {
    if (deleting) redirect(303, signedOutView(event.params.id));
    toSignIn(event.url);
  }
  return {
    request: must(result, 'No such request.'),
    email: me.email,
    justMade: event.url.searchParams.has('made'),
    deleting,
  };
};

const CODE_FIELDS = { invalid_code: 'code', code_expired: 'code', code_void: 'code' };

/** An action on this request: the context, with the request's id. */
type Context = ActionContext<RequestEvent>;

export const actions: Actions = {
  verify: formAction(async ({ event, form, api, csrf }: Context) => {
    const code = text(form, 'code').replace(/\s+/g, '');
    if (!/^\d{6}$/.test(code)) {
      return invalid({ code: 'Enter the 6-digit code from the email.' }, {}, { form: 'verify' });
    }
    const result = await api.rightsRequest.verify(event.params.id, code, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'verify', codeFields: CODE_FIELDS });
    // The deletion starts now, and soon signs its owner out: its page knows to expect that.
    if (result.data.type === 'deletion') redirect(303, `/privacy/requests/${result.data.id}?deleting=1`);
    return { form: 'verify', saved: 'Thank you: it is confirmed. Our deadline counts from now.' };
  }),

  resend: formAction(async ({ event, api, csrf }: Context) => {
    const result = await api.rightsRequest.sendCode(event.params.id, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'resend' });
    return { form: 'resend', saved: 'We emailed you a new code. The earlier one no longer works.' };
  }),

  cancel: formAction(async ({ event, api, csrf }: Context) => {
    const result = await api.rightsRequest.cancel(event.params.id, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'cancel' });
    const saved =
      result.data.type === 'deletion'
        ? 'Cancelled. Your account stays as it is.'
        : 'Cancelled. Nothing more will be done for this request.';
    return { form: 'cancel', saved };
  }),
};
