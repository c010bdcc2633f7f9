// The audit events of one request as a JSON file (the API records that it was exported).
import { serverApi } from '#lib/server/api.ts';
import { must } from '#lib/server/results.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const audit = must(await serverApi(event).rightsRequest.audit(event.params.id));
  return new Response(`${JSON.stringify(audit, null, 2)}\n`, {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="request-${event.params.id}-audit.json"`,
      'cache-control': 'no-store',
    },
  });
};
