// The account pages (profile, preferences, security) are for the signed-in person only.
import { requireUser } from '#lib/server/guards.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => ({ me: await requireUser(event) });
