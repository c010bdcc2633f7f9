// Reporting content for take-down (S-TAKEDOWN): anyone, signed in or not, names a job, a
// file or a link with a reason and details; the legal team decides. An email address is
// optional, to hear the outcome, and is forgotten when the request closes.
import { failure, formAction, invalid, raw, text } from '#lib/server/forms.ts';
import { TAKEDOWN_REASONS, type TakedownReason } from '../../../../../domain/takedown.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({
  // A link from a job or file page may name the content already.
  content: event.url.searchParams.get('content') ?? '',
});

export const actions: Actions = {
  file: formAction(async ({ form, api, csrf }) => {
    const values = {
      reason: text(form, 'reason'),
      content: text(form, 'content'),
      details: raw(form, 'details').trim(),
      email: text(form, 'email'),
    };
    if (!(TAKEDOWN_REASONS as readonly string[]).includes(values.reason)) {
      return invalid({ reason: 'Choose why it should be taken down.' }, values);
    }
    const body = {
      reason: values.reason as TakedownReason,
      content: values.content,
      details: values.details,
      ...(values.email ? { email: values.email } : {}),
    };
    const result = await api.takedown.file(body, csrf);
    if (!result.ok) return failure(result.problem, values);
    return { filed: result.data.id, saved: result.data.message };
  }),
};
