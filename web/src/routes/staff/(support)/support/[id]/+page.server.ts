// One ticket for support staff (R-SUPPORT-3Y): who asked, the thread, assigning it to
// myself, a reply (added to the thread and emailed to the creator through the email log),
// and closing it. The API audits every look.
import { error } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, raw, type ActionContext } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
  const { staff, needsMfa } = await event.parent();
  if (needsMfa) return { ticket: null };
  if (staff.role !== 'support' && staff.role !== 'admin')
    error(403, 'The support queue is for support staff.');
  const result = await serverApi(event).support.queueTicket(event.params.id);
  if (!result.ok) error(result.problem.status === 404 ? 404 : 503, result.problem.message);
  return { ticket: result.data, me: staff.id };
};

export const actions: Actions = {
  assign: formAction(async ({ event, api, csrf }: ActionContext<RequestEvent>) => {
    const result = await api.support.assign(event.params.id, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'assign' });
    return { form: 'assign', saved: 'Assigned to you.' };
  }),
  reply: formAction(async ({ event, form, api, csrf }: ActionContext<RequestEvent>) => {
    const body = raw(form, 'body').trim();
    const result = await api.support.reply(event.params.id, body, csrf);
    if (!result.ok) return failure(result.problem, { body }, { form: 'reply' });
    return {
      form: 'reply',
      saved: result.data.emailed ? 'Sent, and emailed to the creator.' : 'Sent (the email could not go out).',
    };
  }),
  close: formAction(async ({ event, api, csrf }: ActionContext<RequestEvent>) => {
    const result = await api.support.closeQueued(event.params.id, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'close' });
    return { form: 'close', saved: 'Closed.' };
  }),
};
