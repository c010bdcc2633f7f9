// Deleting the account (D-ERASE): what goes, what is kept and why, then a confirmation
// (the person types their email address) before the request is made. The request is
// confirmed with an emailed code (D-VERIFY) on its own page, which then shows the progress.
import { redirect } from '@sveltejs/kit';
import type { ApiClient } from '#lib/api/client.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, text } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import { JURISDICTIONS, type Jurisdiction } from '../../../../../../domain/rights-request.ts';
import type { Actions, PageServerLoad } from './$types';

const isJurisdiction = (v: string): v is Jurisdiction => (JURISDICTIONS as readonly string[]).includes(v);

/** The person's deletion that has not finished, if any. */
async function openDeletion(api: ApiClient) {
  const open = await api.rightsRequest.openDeletion();
  return open.ok ? open.data : null;
}

export const load: PageServerLoad = async (event) => {
  const me = await requireUser(event);
  return { email: me.email, openDeletion: await openDeletion(serverApi(event)) };
};

export const actions: Actions = {
  delete: formAction(async ({ form, api, csrf }) => {
    // The address to compare with (not the session call: it would issue a new CSRF token).
    const account = await api.accounts.account();
    if (!account.ok) redirect(303, `/sign-in?next=${encodeURIComponent('/privacy-center/delete')}`);
    const expected = account.data.email;
    const values = { jurisdiction: text(form, 'jurisdiction'), confirmation: text(form, 'confirmation') };
    const fields: Record<string, string> = {};
    if (!isJurisdiction(values.jurisdiction)) fields.jurisdiction = 'Choose where you live.';
    if (!values.confirmation) {
      fields.confirmation = 'Type your email address to confirm.';
    } else if (values.confirmation.toLowerCase() !== expected.toLowerCase()) {
      fields.confirmation = `That is not your email address. Type ${expected} exactly.`;
    }
    if (Object.keys(fields).length) return invalid(fields, values);

    const result = await api.rightsRequest.create(
      { type: 'deletion', jurisdiction: values.jurisdiction as Jurisdiction },
      csrf,
    );
    if (result.ok) redirect(303, `/privacy/requests/${result.data.id}?made=1`);
    if (result.problem.code === 'deletion_already_requested') {
      const open = await openDeletion(api);
      if (open) redirect(303, `/privacy/requests/${open.id}`);
    }
    return failure(result.problem, values, { codeFields: { deletion_already_requested: 'confirmation' } });
  }),
};
