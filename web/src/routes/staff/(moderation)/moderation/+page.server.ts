// The human review queue (S-MOD): held requests, oldest first; each is approved or
// refused with a reason, which the workflow receives as a signal and the audit log keeps.
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, raw, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { staff, needsMfa } = await event.parent();
  if (needsMfa) return { queue: [], queueError: undefined };
  if (staff.role !== 'support' && staff.role !== 'admin')
    error(403, 'The review queue is for support staff.');
  const result = await serverApi(event).moderation.queue();
  return {
    queue: result.ok ? result.data.jobs : [],
    queueError: result.ok ? undefined : friendlyMessage(result.problem),
  };
};

export const actions: Actions = {
  decide: formAction(async ({ form, api, csrf }) => {
    const jobId = text(form, 'jobId');
    const decision = text(form, 'decision');
    const reason = raw(form, 'reason').trim();
    const values = { jobId, reason };
    const which = `decide-${jobId}`;
    if (decision !== 'approve' && decision !== 'reject') {
      return invalid({}, values, { form: which, message: 'Choose approve or refuse.' });
    }
    if (reason.length < 3) {
      const why = 'Say why, in a few words: the creator and the audit log keep it.';
      return invalid({ reason: why }, values, { form: which });
    }
    const result = await api.moderation.decide(jobId, { approve: decision === 'approve', reason }, csrf);
    if (!result.ok) return failure(result.problem, values, { form: which });
    return {
      form: 'decided',
      jobId,
      decided:
        result.data.decision === 'approved'
          ? 'Approved. The video starts now.'
          : 'Refused. The creator is told, and their credits are returned.',
    };
  }),
};
