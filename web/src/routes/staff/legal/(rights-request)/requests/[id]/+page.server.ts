// One rights request for the legal team: its deadline and steps (D-CLOCK), the one
// extension the law allows with a reason the person is emailed, the audit export, and
// the legal holds on the person (R-HOLD), which pause their account deletion.
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { reasonOf, releaseHold } from '#lib/legal-hold/actions.server.ts';
import { extendsByMonths } from '#lib/rights-request/words.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, text, type ActionContext } from '#lib/server/forms.ts';
import { must } from '#lib/server/results.ts';
import { GDPR_MAX_EXTENSION_MONTHS } from '../../../../../../../../domain/rights-request-clock.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  if (needsMfa) error(403, 'Turn on two-factor authentication to open requests.');
  const api = serverApi(event);
  const request = must(await api.rightsRequest.legalRequest(event.params.id), 'No such request.');
  const holds = request.userId ? await api.legalHold.holds({ userId: request.userId }) : null;
  return {
    request,
    holds: holds?.ok ? holds.data.holds : [],
    holdsError: holds && !holds.ok ? friendlyMessage(holds.problem) : null,
    now: Date.now(),
  };
};

export const actions: Actions = {
  /** D-CLOCK: once, within the first period; the person is emailed the new date and the reason. */
  extend: formAction(async ({ event, form, api, csrf }: ActionContext<RequestEvent>) => {
    const { reason, problem } = reasonOf(form);
    const monthsText = text(form, 'months');
    const values = { reason, months: monthsText };
    const fields: Record<string, string> = {};
    if (problem) fields.reason = `${problem} The person is emailed it.`;
    const months = extendsByMonths(text(form, 'jurisdiction') as 'GDPR') ? Number(monthsText) : undefined;
    if (
      months !== undefined &&
      !(Number.isInteger(months) && months >= 1 && months <= GDPR_MAX_EXTENSION_MONTHS)
    ) {
      fields.months = `Choose 1 to ${GDPR_MAX_EXTENSION_MONTHS} months.`;
    }
    if (Object.keys(fields).length) return invalid(fields, values, { form: 'extend' });
    const result = await api.rightsRequest.extend(
      event.params.id,
      { reason, ...(months ? { months } : {}) },
      csrf,
    );
    if (!result.ok) return failure(result.problem, values, { form: 'extend' });
    return {
      form: 'extend',
      saved: 'Extended. The person has been emailed the new deadline and your reason.',
    };
  }),

  /** R-HOLD: every deletion of the person's data waits while the hold lasts. */
  hold: formAction(async ({ form, api, csrf }) => {
    const { reason, problem } = reasonOf(form);
    if (problem) return invalid({ reason: problem }, { reason }, { form: 'hold' });
    const result = await api.legalHold.place({ userId: text(form, 'userId'), reason }, csrf);
    if (!result.ok) return failure(result.problem, { reason }, { form: 'hold' });
    return { form: 'hold', saved: 'Hold placed. Deletions of this person’s data wait until it is released.' };
  }),

  release: releaseHold,
};
