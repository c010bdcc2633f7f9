// The export of an access or portability request (D-ACCESS, D-PORT), as a plain link that
// works with or without JavaScript: asks the API for a short-lived link to the archive
// (its owner only) and sends the browser there; the storage answers with the ZIP file.
import { friendlyMessage } from '#lib/api/errors.ts';
import { redirectToDownload } from '#lib/retention/download.server.ts';
import { serverApi } from '#lib/server/api.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event);
  const request = await api.rightsRequest.request(event.params.id);
  if (!request.ok) {
    const missing = request.problem.status === 404 || request.problem.status === 400;
    return { problem: missing ? "We couldn't find that request." : friendlyMessage(request.problem) };
  }
  const exported = request.data.export;
  if (!exported) return { problem: 'This request has no archive to download (yet).' };
  return redirectToDownload(api, exported.assetId, {
    gone: 'The archive has been deleted, as our policy says. Make a new request for a fresh copy.',
  });
};
