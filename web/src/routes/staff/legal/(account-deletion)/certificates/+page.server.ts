// Deletion certificates, newest first a page at a time (R-PROOF): each links to its
// request and its contents.
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  if (needsMfa) return { certificates: [], nextCursor: null, older: false, listError: null };
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const result = await serverApi(event).accountDeletion.certificates({ cursor });
  return {
    certificates: result.ok ? result.data.certificates : [],
    nextCursor: result.ok ? result.data.nextCursor : null,
    /** An older page: it links back to the newest. */
    older: Boolean(cursor),
    listError: result.ok ? null : friendlyMessage(result.problem),
  };
};
