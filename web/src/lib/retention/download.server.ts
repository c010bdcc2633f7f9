// A download as a plain link that works with or without JavaScript (a video, an upload,
// a data export): the API's short-lived link to the file, its owner's only, to which the
// browser is sent; the storage answers with the file. A file that is gone gets words.
import { redirect } from '@sveltejs/kit';
import type { ApiClient } from '../api/client.ts';
import { friendlyMessage } from '../api/errors.ts';

export async function redirectToDownload(
  api: ApiClient,
  assetId: string,
  words: { gone: string; missing?: string },
): Promise<{ problem: string }> {
  const link = await api.retention.downloadLink(assetId);
  // The link comes from our API and points at our object storage.
  if (link.ok) redirect(303, link.data.url, { external: true });
  const { status } = link.problem;
  if (status === 410 || (!words.missing && status === 404)) return { problem: words.gone };
  if (words.missing && (status === 404 || status === 400)) return { problem: words.missing };
  return { problem: friendlyMessage(link.problem) };
}
