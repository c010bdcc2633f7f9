// A download from the library or a job page (R-OUT-7D, R-IN-30D): the file itself by a
// short-lived link; a file that is gone gets words, not an error code.
import { redirectToDownload } from '#lib/retention/download.server.ts';
import { serverApi } from '#lib/server/api.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  return redirectToDownload(serverApi(event), event.params.id, {
    missing: "We couldn't find that file. It may have been deleted.",
    gone: 'This file has been deleted and can no longer be downloaded. Deleted files cannot be recovered.',
  });
};
