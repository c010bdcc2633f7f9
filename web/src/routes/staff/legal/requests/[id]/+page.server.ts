// One rights request for the legal team: its deadline and steps (D-CLOCK), the one
// extension the law allows with a reason the person is emailed, the audit export, and
// the legal holds on the person (R-HOLD), which pause their account deletion.
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { privacyApi } from '#lib/privacy/api.ts';
import { extendsByMonths } from '#lib/privacy/words.ts';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, invalid, raw, text } from '#lib/server/forms.ts';
import { GDPR_MAX_EXTENSION_MONTHS } from '../../../../../../../domain/rights-request-clock.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  if (needsMfa) error(403, 'Turn on two-factor authentication to open requests.');
  const api = privacyApi(serverApi(event));
  const result = await api.legalRequest(event.params.id);
  if (!result.ok) {
    if (result.problem.status === 404 || result.problem.status === 400) error(404, 'No such request.');
    error(result.problem.status >= 400 ? result.problem.status : 503, friendlyMessage(result.problem));
  }
  const holds = result.data.userId ? await api.holds({ userId: result.data.userId }) : null;
  return {
    request: result.data,
    holds: holds?.ok ? holds.data.holds : [],
    holdsError: holds && !holds.ok ? friendlyMessage(holds.problem) : null,
    now: Date.now(),
  };
};

const REASON_MIN = 3;
const REASON_MAX = 2000;

function reasonOf(form: FormData): { reason: string; problem?: string } {
  const reason = raw(form, 'reason').trim();
  if (reason.length < REASON_MIN) return { reason, problem: 'Give the reason in a few words.' };
  if (reason.length > REASON_MAX) return { reason, problem: `Keep it under ${REASON_MAX} characters.` };
  return { reason };
}

export const actions: Actions = {
  /** D-CLOCK: once, within the first period; the person is emailed the new date and the reason. */
  extend: async (event) => {
    const form = await event.request.formData();
    const { reason, problem } = reasonOf(form);
    const jurisdiction = text(form, 'jurisdiction');
    const monthsText = text(form, 'months');
    const values = { reason, months: monthsText };
    const fields: Record<string, string> = {};
    if (problem) fields.reason = `${problem} The person is emailed it.`;
    let months: number | undefined;
    if (extendsByMonths(jurisdiction as 'GDPR')) {
      months = Number(monthsText);
      if (!Number.isInteger(months) || months < 1 || months > GDPR_MAX_EXTENSION_MONTHS) {
        fields.months = `Choose 1 to ${GDPR_MAX_EXTENSION_MONTHS} months.`;
      }
    }
    if (Object.keys(fields).length) return invalid(fields, values, { form: 'extend' });
    const result = await privacyApi(serverApi(event)).extend(
      event.params.id,
      { reason, ...(months ? { months } : {}) },
      csrfOf(form),
    );
    if (!result.ok) return failure(result.problem, values, { form: 'extend' });
    return {
      form: 'extend',
      done: 'Extended. The person has been emailed the new deadline and your reason.',
    };
  },

  /** R-HOLD: every deletion of the person's data waits while the hold lasts. */
  hold: async (event) => {
    const form = await event.request.formData();
    const userId = text(form, 'userId');
    const { reason, problem } = reasonOf(form);
    if (problem) return invalid({ reason: problem }, { reason }, { form: 'hold' });
    const result = await privacyApi(serverApi(event)).placeHold({ userId, reason }, csrfOf(form));
    if (!result.ok) return failure(result.problem, { reason }, { form: 'hold' });
    return { form: 'hold', done: 'Hold placed. Deletions of this person’s data wait until it is released.' };
  },

  release: async (event) => {
    const form = await event.request.formData();
    const holdId = text(form, 'holdId');
    const which = `release-${holdId}`;
    const { reason, problem } = reasonOf(form);
    if (problem) return invalid({ reason: problem }, { reason }, { form: which });
    const result = await privacyApi(serverApi(event)).releaseHold(holdId, reason, csrfOf(form));
    if (!result.ok) return failure(result.problem, { reason }, { form: which });
    return { form: which, done: 'Hold released. Deletions it held go on now.' };
  },
};
