// Someone under 18 waits here until a parent or guardian agrees (D-MINOR); anyone else goes home.
import { redirect } from '@sveltejs/kit';
import { homeRoute } from '#lib/nav.ts';
import { toSignIn } from '#lib/server/forms.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent, url }) => {
  const { user } = await parent();
  if (!user) toSignIn(url);
  if (user.status !== 'awaiting_parental_consent') redirect(303, homeRoute());
  return {};
};
