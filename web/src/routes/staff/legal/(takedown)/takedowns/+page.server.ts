// Take-down requests (S-TAKEDOWN) for the legal team, newest first a page at a time: the
// open ones by default, each with its steps and times; upholding one removes the content
// and all made from it at once (the takedown-<id> workflow receives the decision),
// rejecting closes it. Audited by the API.
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, raw, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  const show = event.url.searchParams.get('show') === 'all' ? 'all' : 'open';
  if (needsMfa) return { takedowns: [], nextCursor: null, older: false, listError: null, show };
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  // Open ones asked for as such: one is listed however many closed ones came after it.
  const result = await serverApi(event).takedown.list({
    status: show === 'all' ? undefined : 'open',
    cursor,
  });
  return {
    takedowns: result.ok ? result.data.takedowns : [],
    nextCursor: result.ok ? result.data.nextCursor : null,
    /** An older page: it links back to the newest. */
    older: Boolean(cursor),
    listError: result.ok ? null : friendlyMessage(result.problem),
    show,
  };
};

export const actions: Actions = {
  decide: formAction(async ({ form, api, csrf }) => {
    const takedownId = text(form, 'takedownId');
    const decision = text(form, 'decision');
    const reason = raw(form, 'reason').trim();
    const values = { takedownId, reason };
    const which = `decide-${takedownId}`;
    if (decision !== 'uphold' && decision !== 'reject') {
      return invalid({}, values, { form: which, message: 'Choose uphold or reject.' });
    }
    if (reason.length < 3) {
      return invalid({ reason: 'Say why, in a few words: the creator is told.' }, values, { form: which });
    }
    const result = await api.takedown.decide(takedownId, { uphold: decision === 'uphold', reason }, csrf);
    if (!result.ok) return failure(result.problem, values, { form: which });
    return {
      form: 'decided',
      saved:
        decision === 'uphold'
          ? 'Upheld: the content and all made from it are being removed, and the creator is told why.'
          : 'Rejected: the request is closed.',
    };
  }),
};
