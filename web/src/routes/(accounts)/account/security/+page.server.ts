import { redirect } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, raw, text } from '#lib/server/forms.ts';
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

export const actions: Actions = {
  password: async (event) => {
    const form = await event.request.formData();
    const result = await serverApi(event).accounts.changePassword(
      { currentPassword: raw(form, 'currentPassword'), newPassword: raw(form, 'newPassword') },
      csrfOf(form),
    );
    if (!result.ok) return failure(result.problem, {}, { form: 'password' });
    // Other sessions were ended; this one goes on.
    return { form: 'password', saved: result.data.message };
  },

  revokeSession: async (event) => {
    const form = await event.request.formData();
    const result = await serverApi(event).accounts.revokeSession(text(form, 'id'), csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: 'sessions' });
    return { form: 'sessions', saved: 'That device is signed out.' };
  },

  signOutEverywhere: async (event) => {
    const form = await event.request.formData();
    const result = await serverApi(event).accounts.signOutEverywhere(csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: 'sessions' });
    redirect(303, '/sign-in?everywhere=1');
  },

  mfaSetup: async (event) => {
    const form = await event.request.formData();
    const result = await serverApi(event).accounts.startMfaSetup(csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: 'mfa' });
    return { form: 'mfa', setup: result.data };
  },

  mfaEnable: async (event) => {
    const form = await event.request.formData();
    // The seed was shown in the previous step; it comes back so a wrong code can be retried.
    const setup = { secret: text(form, 'secret'), otpauthUrl: text(form, 'otpauthUrl') };
    const result = await serverApi(event).accounts.enableMfa(
      text(form, 'code').replace(/\s+/g, ''),
      csrfOf(form),
    );
    if (!result.ok) {
      return failure(result.problem, setup, { form: 'mfa-enable', codeFields: { invalid_code: 'code' } });
    }
    return { form: 'mfa', recoveryCodes: result.data.recoveryCodes };
  },

  mfaDisable: async (event) => {
    const form = await event.request.formData();
    const proof = text(form, 'proof').replace(/\s+/g, '');
    const result = await serverApi(event).accounts.disableMfa(
      /^\d{6}$/.test(proof) ? { code: proof } : { recoveryCode: text(form, 'proof') },
      csrfOf(form),
    );
    if (!result.ok) {
      return failure(
        result.problem,
        {},
        {
          form: 'mfa-disable',
          fieldAliases: { code: 'proof', recoveryCode: 'proof' },
          codeFields: { invalid_code: 'proof' },
        },
      );
    }
    return { form: 'mfa', saved: 'Two-factor authentication is off.' };
  },
};
