// Marketing for admins (D-CONSENT, D-OBJECT, D-UNSUB): send a campaign to everyone who
// opted in and did not object, and see them, newest first a page at a time, kept,
// sending or sent. Each load draws the key the form sends, so the same form sent twice is
// one campaign. Audited by the API.
import { randomUUID } from 'node:crypto';
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, raw, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { staff, needsMfa } = await event.parent();
  if (needsMfa) return { campaigns: [], nextCursor: null, older: false, listError: null, key: '' };
  if (staff.role !== 'admin') error(403, 'Marketing is for admins.');
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const result = await serverApi(event).announcement.campaigns({ cursor });
  return {
    campaigns: result.ok ? result.data.campaigns : [],
    nextCursor: result.ok ? result.data.nextCursor : null,
    /** An older page: it links back to the newest. */
    older: Boolean(cursor),
    listError: result.ok ? null : friendlyMessage(result.problem),
    key: randomUUID(),
  };
};

export const actions: Actions = {
  send: formAction(async ({ form, api, csrf }) => {
    const values = { subject: text(form, 'subject'), body: raw(form, 'body').trim() };
    const result = await api.announcement.send(values, text(form, 'key'), csrf);
    if (!result.ok) return failure(result.problem, values, { form: 'send' });
    return {
      form: 'send',
      saved: result.data.kept
        ? 'Kept: part of our platform is not answering just now, and the campaign goes out as soon as it does.'
        : 'Sending to everyone who opted in. Each person gets it once.',
    };
  }),
};
