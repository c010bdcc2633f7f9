// After signing up or asking for a reset link: check your email, and send the link again.
import { failure, formAction, text } from '#lib/server/forms.ts';
import type { Actions } from './$types';

export const actions: Actions = {
  /** Sends the confirmation link again (the answer never says whether the address is known). */
  resend: formAction(async ({ form, api, csrf }) => {
    const email = text(form, 'email');
    const result = await api.accounts.resendVerification(email, csrf);
    if (!result.ok) return failure(result.problem, { email }, { form: 'resend' });
    return { form: 'resend', saved: result.data.message };
  }),
};
