// The export of an access or portability request (D-ACCESS, D-PORT), as a plain link that
// works with or without JavaScript: asks the API for a short-lived link to the archive
// (its owner only) and sends the browser there; the storage answers with the ZIP file.
import { redirect } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event);
  const request = await api.rightsRequest.request(event.params.id);
  if (!request.ok) {
    return {
      problem:
        request.problem.status === 404 || request.problem.status === 400
          ? "We couldn't find that request."
          : friendlyMessage(request.problem),
    };
  }
  const exported = request.data.export;
  if (!exported) return { problem: 'This request has no archive to download (yet).' };
  const link = await api.retention.downloadLink(exported.assetId);
  // The link comes from our API and points at our object storage.
  if (link.ok) redirect(303, link.data.url, { external: true });
  return {
    problem:
      link.problem.status === 410 || link.problem.status === 404
        ? 'The archive has been deleted, as our policy says. Make a new request for a fresh copy.'
        : friendlyMessage(link.problem),
  };
};
