// Who may see a signed-in page: someone signed in, whose parent has agreed (D-MINOR), and
// who has passed two-factor authentication when it is on.
import { redirect } from '@sveltejs/kit';
import type { User } from '../accounts/types.ts';
import { homeRoute } from '../nav.ts';
import { afterSignIn, safeNext, toSignIn } from './forms.ts';

interface GuardEvent {
  parent: () => Promise<{ user: User | null }>;
  url: URL;
}

export async function requireUser(event: GuardEvent): Promise<User> {
  const { user } = await event.parent();
  if (!user) toSignIn(event.url);
  if (user.status === 'awaiting_parental_consent') redirect(303, '/waiting');
  if (user.mfaEnabled && !user.mfaVerified) {
    redirect(303, `/mfa?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
  }
  return user;
}

/** Sign-in and sign-up pages: someone already signed in goes on to where they were going. */
export async function signedOutOnly(event: GuardEvent): Promise<void> {
  const { user } = await event.parent();
  if (user) redirect(303, afterSignIn(user, safeNext(event.url.searchParams.get('next')), homeRoute()));
}

/** The load of a page only for the signed out (sign-up), which needs nothing else. */
export const signedOutPage = async (event: GuardEvent): Promise<Record<string, never>> => {
  await signedOutOnly(event);
  return {};
};
