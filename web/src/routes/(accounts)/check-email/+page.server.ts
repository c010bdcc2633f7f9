import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, text } from '#lib/server/forms.ts';
import type { Actions } from './$types';

export const actions: Actions = {
  /** Sends the confirmation link again (the answer never says whether the address is known). */
  resend: async (event) => {
    const form = await event.request.formData();
    const email = text(form, 'email');
    const result = await serverApi(event).accounts.resendVerification(email, csrfOf(form));
    if (!result.ok) return failure(result.problem, { email }, { form: 'resend' });
    return { form: 'resend', sent: result.data.message };
  },
};
