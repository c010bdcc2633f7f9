// A download, as a plain link that works with or without JavaScript: asks the API for a
// short-lived link to the file (its owner only) and sends the browser there; the storage
// answers with the file as an attachment. A file that is gone gets words, not an error code.
import { redirect } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const link = await serverApi(event).retention.downloadLink(event.params.id);
  // The link comes from our API and points at our object storage.
  if (link.ok) redirect(303, link.data.url, { external: true });
  return {
    problem:
      link.problem.status === 404 || link.problem.status === 400
        ? "We couldn't find that file. It may have been deleted."
        : link.problem.status === 410
          ? 'This file has been deleted and can no longer be downloaded. Deleted files cannot be recovered.'
          : friendlyMessage(link.problem),
  };
};
