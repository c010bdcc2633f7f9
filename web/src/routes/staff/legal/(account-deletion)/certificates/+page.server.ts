// Deletion certificates, newest first (R-PROOF): each links to its request and its contents.
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  if (needsMfa) return { certificates: [], listError: null };
  const result = await serverApi(event).accountDeletion.certificates(100);
  return {
    certificates: result.ok ? result.data.certificates : [],
    listError: result.ok ? null : friendlyMessage(result.problem),
  };
};
