// A file attached to a ticket, for support staff: a short-lived link from the API (which
// checks the role and audits the look), followed at once.
import { error, redirect } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const assetId = event.url.searchParams.get('assetId') ?? '';
  const result = await serverApi(event).support.attachment(event.params.id, assetId);
  if (!result.ok) error(result.problem.status, result.problem.message);
  redirect(303, result.data.url);
};
