// Security: the devices signed in (S-SESSION), the password, and two-factor
// authentication (S-MFA): set up with a seed shown once, confirmed by a code, turned off
// with a code or a recovery code.
import { redirect } from '@sveltejs/kit';
import { failure, formAction, raw, text } from '#lib/server/forms.ts';
import { serverApi } from '#lib/server/api.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await event.parent();
  const result = await serverApi(event).accounts.sessions();
  return {
    sessions: result.ok ? result.data.sessions : [],
    sessionsError: result.ok
      ? undefined
      : 'We could not load your sessions just now. Reload the page to try again.',
  };
};

/** A code from the app (six digits, spaces allowed) or else a recovery code. */
function proofOf(form: FormData) {
  const proof = text(form, 'proof').replace(/\s+/g, '');
  return /^\d{6}$/.test(proof) ? { code: proof } : { recoveryCode: text(form, 'proof') };
}

export const actions: Actions = {
  password: formAction(async ({ form, api, csrf }) => {
    const body = { currentPassword: raw(form, 'currentPassword'), newPassword: raw(form, 'newPassword') };
    const result = await api.accounts.changePassword(body, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'password' });
    // Other sessions were ended; this one goes on.
    return { form: 'password', saved: result.data.message };
  }),

  revokeSession: formAction(async ({ form, api, csrf }) => {
    const result = await api.accounts.revokeSession(text(form, 'id'), csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'sessions' });
    return { form: 'sessions', saved: 'That device is signed out.' };
  }),

  signOutEverywhere: formAction(async ({ api, csrf }) => {
    const result = await api.accounts.signOutEverywhere(csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'sessions' });
    redirect(303, '/sign-in?everywhere=1');
  }),

  mfaSetup: formAction(async ({ api, csrf }) => {
    const result = await api.accounts.startMfaSetup(csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'mfa' });
    return { form: 'mfa', setup: result.data };
  }),

  mfaEnable: formAction(async ({ form, api, csrf }) => {
    // The seed was shown in the previous step; it comes back so a wrong code can be retried.
    const setup = { secret: text(form, 'secret'), otpauthUrl: text(form, 'otpauthUrl') };
    const result = await api.accounts.enableMfa(text(form, 'code').replace(/\s+/g, ''), csrf);
    if (!result.ok) {
      return failure(result.problem, setup, { form: 'mfa-enable', codeFields: { invalid_code: 'code' } });
    }
    return { form: 'mfa', recoveryCodes: result.data.recoveryCodes };
  }),

  mfaDisable: formAction(async ({ form, api, csrf }) => {
    const result = await api.accounts.disableMfa(proofOf(form), csrf);
    if (!result.ok) {
      const fieldAliases = { code: 'proof', recoveryCode: 'proof' };
      return failure(
        result.problem,
        {},
        { form: 'mfa-disable', fieldAliases, codeFields: { invalid_code: 'proof' } },
      );
    }
    return { form: 'mfa', saved: 'Two-factor authentication is off.' };
  }),
};
