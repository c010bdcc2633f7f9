// One of my support tickets (R-SUPPORT-3Y): the thread with support's replies (each also
// emailed to me), writing again (the ticket goes back to support), and closing it.
import { error } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, raw } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import type { ActionContext } from '#lib/server/forms.ts';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const result = await serverApi(event).support.ticket(event.params.id);
  if (!result.ok) error(result.problem.status === 404 ? 404 : 503, result.problem.message);
  return { ticket: result.data, opened: event.url.searchParams.has('opened') };
};

export const actions: Actions = {
  write: formAction(async ({ event, form, api, csrf }: ActionContext<RequestEvent>) => {
    const body = raw(form, 'body').trim();
    const result = await api.support.write(event.params.id, { body }, csrf);
    if (!result.ok) return failure(result.problem, { body }, { form: 'write' });
    return { form: 'write', saved: 'Sent.' };
  }),
  close: formAction(async ({ event, api, csrf }: ActionContext<RequestEvent>) => {
    const result = await api.support.close(event.params.id, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'close' });
    return { form: 'close', saved: 'Closed.' };
  }),
};
