// The audit events of one request as a JSON file (the API records that it was exported).
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const result = await serverApi(event).rightsRequest.audit(event.params.id);
  if (!result.ok) {
    error(result.problem.status >= 400 ? result.problem.status : 503, friendlyMessage(result.problem));
  }
  return new Response(`${JSON.stringify(result.data, null, 2)}\n`, {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="request-${event.params.id}-audit.json"`,
      'cache-control': 'no-store',
    },
  });
};
