// Support (R-SUPPORT-3Y): my tickets, the latest activity first, a page at a time; and a
// new one: a subject, a message and, optionally, one of my uploads to show (a
// screenshot), which keeps an upload's 30 days (R-IN-30D). A ticket is deleted 3 years
// after it is closed.
import { redirect } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, raw, text } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';
import { ASSET_LIST_MAX_LIMIT } from '../../../../../domain/retention.ts';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event);
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const [tickets, uploads] = await Promise.all([
    api.support.tickets(cursor),
    api.retention.assets({ kind: 'input', status: 'stored', limit: ASSET_LIST_MAX_LIMIT }),
  ]);
  return {
    tickets: tickets.ok ? tickets.data.tickets : [],
    nextCursor: tickets.ok ? tickets.data.nextCursor : null,
    /** An older page: it links back to the newest. */
    older: Boolean(cursor),
    ticketsError: tickets.ok ? null : friendlyMessage(tickets.problem),
    uploads: uploads.ok ? uploads.data.assets : [],
  };
};

export const actions: Actions = {
  open: formAction(async ({ form, api, csrf }) => {
    const subject = text(form, 'subject');
    const message = raw(form, 'message').trim();
    const attachmentAssetId = text(form, 'attachmentAssetId') || undefined;
    const values = { subject, message, attachmentAssetId: attachmentAssetId ?? '' };
    const result = await api.support.open({ subject, message, attachmentAssetId }, csrf);
    if (!result.ok) return failure(result.problem, values, { fieldAliases: { body: 'message' } });
    redirect(303, `/support/${result.data.id}?opened=1`);
  }),
};
