// Deleting the account (D-ERASE): what goes, what is kept and why, then a confirmation
// (the person types their email address) before the request is made. The request is
// confirmed with an emailed code (D-VERIFY) on its own page, which then shows the progress.
import { redirect } from '@sveltejs/kit';
import { JURISDICTIONS, type Jurisdiction } from '../../../../../domain/rights-request.ts';
import { privacyApi } from '#lib/privacy/api.ts';
import { isFinished } from '#lib/privacy/words.ts';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, invalid, text } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

const isJurisdiction = (v: string): v is Jurisdiction => (JURISDICTIONS as readonly string[]).includes(v);

export const load: PageServerLoad = async (event) => {
  const me = await requireUser(event);
  const requests = await privacyApi(serverApi(event)).requests();
  const open = requests.ok
    ? requests.data.requests.find((r) => r.type === 'deletion' && !isFinished(r.status))
    : undefined;
  return { email: me.email, openDeletion: open ?? null };
};

export const actions: Actions = {
  delete: async (event) => {
    const form = await event.request.formData();
    // The address to compare with (not the session call: it would issue a new CSRF token).
    const account = await serverApi(event).account();
    const user = account.ok ? account.data : null;
    if (!user) redirect(303, `/sign-in?next=${encodeURIComponent('/privacy-center/delete')}`);
    const values = { jurisdiction: text(form, 'jurisdiction'), confirmation: text(form, 'confirmation') };
    const fields: Record<string, string> = {};
    if (!isJurisdiction(values.jurisdiction)) fields.jurisdiction = 'Choose where you live.';
    const expected = user.email;
    if (!values.confirmation) {
      fields.confirmation = 'Type your email address to confirm.';
    } else if (values.confirmation.toLowerCase() !== expected.toLowerCase()) {
      fields.confirmation = `That is not your email address. Type ${expected} exactly.`;
    }
    if (Object.keys(fields).length) return invalid(fields, values);

    const api = privacyApi(serverApi(event));
    const result = await api.createRequest(
      { type: 'deletion', jurisdiction: values.jurisdiction as Jurisdiction },
      csrfOf(form),
    );
    if (!result.ok) {
      if (result.problem.code === 'deletion_already_requested') {
        const requests = await api.requests();
        const open = requests.ok
          ? requests.data.requests.find((r) => r.type === 'deletion' && !isFinished(r.status))
          : undefined;
        if (open) redirect(303, `/privacy/requests/${open.id}`);
      }
      return failure(result.problem, values, {
        codeFields: { deletion_already_requested: 'confirmation' },
      });
    }
    redirect(303, `/privacy/requests/${result.data.id}?made=1`);
  },
};
