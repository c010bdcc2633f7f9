// A take-down of the creator's content (S-TAKEDOWN), opened from the email that told them:
// what was removed and why, and their answer while the request is open.
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, raw, toSignIn, type ActionContext } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import { must } from '#lib/server/results.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const found = await serverApi(event).takedown.notice(event.params.id);
  if (!found.ok && found.problem.status === 401) toSignIn(event.url);
  return { notice: must(found, 'No such take-down.') };
};

export const actions: Actions = {
  answer: formAction(async ({ event, form, api, csrf }: ActionContext<RequestEvent>) => {
    const answer = raw(form, 'answer').trim();
    const result = await api.takedown.answer(event.params.id, { answer }, csrf);
    if (!result.ok) return failure(result.problem, { answer });
    return { saved: 'Your answer is sent to our legal team.' };
  }),
};
