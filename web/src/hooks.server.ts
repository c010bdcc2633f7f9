// The site and the API share one origin: the site's server forwards /api/* to the API
// process, so the session cookie is first-party and CORS never has to open up.
import { API_INTERNAL_URL } from '$app/env/private';
import type { Handle } from '@sveltejs/kit/hooks';

const API = API_INTERNAL_URL;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

export const handle: Handle = async ({ event, resolve }) => {
  const { pathname, search } = event.url;
  if (!pathname.startsWith('/api/')) return resolve(event);
  const headers = new Headers();
  for (const [name, value] of event.request.headers) if (!HOP_BY_HOP.has(name)) headers.set(name, value);
  headers.set('x-forwarded-for', event.getClientAddress());
  headers.set('x-forwarded-proto', event.url.protocol.replace(':', ''));
  headers.set('x-forwarded-host', event.url.host);
  const hasBody = event.request.method !== 'GET' && event.request.method !== 'HEAD';
  const upstream = await fetch(`${API}${pathname}${search}`, {
    method: event.request.method,
    headers,
    body: hasBody ? event.request.body : undefined,
    redirect: 'manual',
    // @ts-expect-error Node's fetch needs this to stream a request body.
    duplex: hasBody ? 'half' : undefined,
  });
  const out = new Headers(upstream.headers);
  out.delete('content-encoding');
  out.delete('content-length');
  return new Response(upstream.body, { status: upstream.status, headers: out });
};
