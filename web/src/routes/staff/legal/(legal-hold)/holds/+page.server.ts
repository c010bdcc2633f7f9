// Legal holds (R-HOLD): the list, the latest placed first, a page at a time (the active
// ones by default); placing one on a person or on one file with a reason, and releasing
// one with a reason. Deletions a hold covers wait, and go on by themselves when it is
// released; each change is audited by the API.
import { friendlyMessage } from '#lib/api/errors.ts';
import { reasonOf, releaseHold } from '#lib/legal-hold/actions.server.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  const show = event.url.searchParams.get('show') === 'all' ? 'all' : 'active';
  if (needsMfa) return { holds: [], nextCursor: null, older: false, listError: null, show };
  const filter = show === 'active' ? { active: 'true' as const } : {};
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const result = await serverApi(event).legalHold.holds({ ...filter, cursor });
  return {
    holds: result.ok ? result.data.holds : [],
    nextCursor: result.ok ? result.data.nextCursor : null,
    /** An older page: it links back to the newest. */
    older: Boolean(cursor),
    listError: result.ok ? null : friendlyMessage(result.problem),
    show,
  };
};

export const actions: Actions = {
  place: formAction(async ({ form, api, csrf }) => {
    const { reason, problem } = reasonOf(form);
    const values = { scope: text(form, 'scope'), target: text(form, 'target'), reason };
    const fields: Record<string, string> = {};
    if (values.scope !== 'user' && values.scope !== 'asset') fields.scope = 'Choose a person or a file.';
    if (!UUID.test(values.target)) fields.target = 'Paste the full id (36 characters, with dashes).';
    if (problem) fields.reason = problem;
    if (Object.keys(fields).length) return invalid(fields, values, { form: 'place' });
    const on = values.scope === 'user' ? { userId: values.target } : { assetId: values.target };
    const result = await api.legalHold.place({ ...on, reason }, csrf);
    if (!result.ok) {
      return failure(result.problem, values, {
        form: 'place',
        fieldAliases: { userId: 'target', assetId: 'target' },
      });
    }
    return {
      form: 'place',
      saved:
        values.scope === 'user'
          ? 'Hold placed on the person: their files and any account deletion wait until it is released.'
          : 'Hold placed on the file: its deletion waits until the hold is released.',
    };
  }),

  release: releaseHold,
};
