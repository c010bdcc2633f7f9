// Legal holds (R-HOLD): the list (active first by default), placing one on a person or on
// one file with a reason, and releasing one with a reason. Deletions a hold covers wait,
// and go on by themselves when it is released; each change is audited by the API.
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, invalid, raw, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  const show = event.url.searchParams.get('show') === 'all' ? 'all' : 'active';
  if (needsMfa) return { holds: [], listError: null, show };
  const result = await serverApi(event).legalHold.holds({
    ...(show === 'active' ? { active: 'true' as const } : {}),
    limit: 200,
  });
  return {
    holds: result.ok ? result.data.holds : [],
    listError: result.ok ? null : friendlyMessage(result.problem),
    show,
  };
};

function reasonProblem(reason: string): string | undefined {
  if (reason.length < 3) return 'Give the reason in a few words: it is recorded with the hold.';
  if (reason.length > 2000) return 'Keep it under 2000 characters.';
  return undefined;
}

export const actions: Actions = {
  place: async (event) => {
    const form = await event.request.formData();
    const values = {
      scope: text(form, 'scope'),
      target: text(form, 'target'),
      reason: raw(form, 'reason').trim(),
    };
    const fields: Record<string, string> = {};
    if (values.scope !== 'user' && values.scope !== 'asset') fields.scope = 'Choose a person or a file.';
    if (!UUID.test(values.target)) fields.target = 'Paste the full id (36 characters, with dashes).';
    const problem = reasonProblem(values.reason);
    if (problem) fields.reason = problem;
    if (Object.keys(fields).length) return invalid(fields, values, { form: 'place' });
    const result = await serverApi(event).legalHold.place(
      values.scope === 'user'
        ? { userId: values.target, reason: values.reason }
        : { assetId: values.target, reason: values.reason },
      csrfOf(form),
    );
    if (!result.ok) {
      return failure(result.problem, values, {
        form: 'place',
        fieldAliases: { userId: 'target', assetId: 'target' },
      });
    }
    return {
      form: 'place',
      done:
        values.scope === 'user'
          ? 'Hold placed on the person: their files and any account deletion wait until it is released.'
          : 'Hold placed on the file: its deletion waits until the hold is released.',
    };
  },

  release: async (event) => {
    const form = await event.request.formData();
    const holdId = text(form, 'holdId');
    const which = `release-${holdId}`;
    const reason = raw(form, 'reason').trim();
    const problem = reasonProblem(reason);
    if (problem) return invalid({ reason: problem }, { reason }, { form: which });
    const result = await serverApi(event).legalHold.release(holdId, reason, csrfOf(form));
    if (!result.ok) return failure(result.problem, { reason }, { form: which });
    return { form: 'released', done: 'Hold released. The deletions it held go on now.' };
  },
};
