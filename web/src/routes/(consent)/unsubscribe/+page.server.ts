// Unsubscribing from marketing email (D-UNSUB) by the signed link in every marketing
// email: opening the page changes nothing (mail scanners open links too); the button
// posts, and the site's server passes it to the API. No sign-in, no JavaScript needed.
import { failure, formAction, invalid } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function linkOf(params: URLSearchParams | FormData): { u: string; token: string } | null {
  const u = String(params.get('u') ?? '').trim();
  const token = String(params.get('token') ?? '').trim();
  return UUID.test(u) && token.length >= 10 && token.length <= 200 ? { u, token } : null;
}

export const load: PageServerLoad = async (event) => ({
  link: linkOf(event.url.searchParams),
});

export const actions: Actions = {
  confirm: formAction(async ({ form, api }) => {
    const link = linkOf(form);
    if (!link) {
      return invalid(
        {},
        {},
        { message: 'This unsubscribe link is incomplete. Open it again from the email.' },
      );
    }
    const result = await api.consent.unsubscribe(link.u, link.token);
    if (!result.ok) return failure(result.problem);
    return {
      saved:
        result.data.message ?? 'You will get no more marketing email. Emails about your account continue.',
    };
  }),
};
