// The legal-hold actions the legal pages share (R-HOLD): releasing a hold with a reason,
// on the holds page and on a person's request page alike. Each change is audited by the API.
import { failure, formAction, invalid, raw, text } from '../server/forms.ts';
import { reasonProblem } from './reason.ts';

/** The form's reason, trimmed, and what is wrong with it. */
export function reasonOf(form: FormData) {
  const reason = raw(form, 'reason').trim();
  return { reason, problem: reasonProblem(reason) };
}

export const releaseHold = formAction(async ({ form, api, csrf }) => {
  const holdId = text(form, 'holdId');
  const which = `release-${holdId}`;
  const { reason, problem } = reasonOf(form);
  if (problem) return invalid({ reason: problem }, { reason }, { form: which });
  const result = await api.legalHold.release(holdId, reason, csrf);
  if (!result.ok) return failure(result.problem, { reason }, { form: which });
  return { form: which, holdId, saved: 'Hold released. The deletions it held go on now.' };
});
