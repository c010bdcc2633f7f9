// The site and the API share one origin: the site's server forwards /api/* to the API
// process, so the session cookie is first-party and CORS never has to open up.
// Videos are the exception: the browser plays them from the object storage through
// short-lived presigned links, so pages allow that origin (and only it) for media; and a
// credit purchase goes on to Stripe Checkout's page.
import { API_INTERNAL_URL, MEDIA_ORIGINS, S3_ENDPOINT } from '$app/env/private';
import { dev } from '$app/env';
import type { Handle } from '@sveltejs/kit/hooks';

const API = API_INTERNAL_URL;
const DEV_STORAGE = ['http://127.0.0.1:9000', 'http://localhost:9000'];
const MEDIA = [
  ...new Set(MEDIA_ORIGINS?.length ? MEDIA_ORIGINS : S3_ENDPOINT ? [S3_ENDPOINT] : dev ? DEV_STORAGE : []),
].join(' ');

/** Stripe Checkout's page, where a credit purchase form sends the browser (R-NOCARD: the card is typed there). */
const PAYMENT_PAGE = 'https://checkout.stripe.com';

/**
 * Widens SvelteKit's policy by exactly what the studio needs: the storage origin for media
 * and images, and Stripe Checkout as a place a form may lead to (a form post that redirects
 * there is checked against form-action).
 */
function extendPolicy(response: Response): Response {
  const csp = response.headers.get('content-security-policy');
  if (!csp) return response;
  let policy = csp.replace(/(^|;\s*)(form-action)([^;]*)/, `$1$2$3 ${PAYMENT_PAGE}`);
  if (MEDIA) policy = policy.replace(/(^|;\s*)(media-src|img-src)([^;]*)/g, `$1$2$3 ${MEDIA}`);
  try {
    response.headers.set('content-security-policy', policy);
  } catch {
    // Immutable headers (a redirect): nothing is shown there anyway.
  }
  return response;
}
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/**
 * The browser's address, which the API's per-address rate limits need. Behind a proxy
 * (ADDRESS_HEADER) a request without the header has none: it is refused, not guessed.
 */
function clientAddress(event: Parameters<Handle>[0]['event']): string | null {
  try {
    return event.getClientAddress();
  } catch {
    return null;
  }
}

export const handle: Handle = async ({ event, resolve }) => {
  const { pathname, search } = event.url;
  if (!pathname.startsWith('/api/')) return extendPolicy(await resolve(event));
  const client = clientAddress(event);
  if (!client) {
    return Response.json(
      {
        error: {
          code: 'client_address_missing',
          message: 'The request reached the site without the client address header its proxy should add.',
        },
      },
      { status: 400 },
    );
  }
  const headers = new Headers();
  for (const [name, value] of event.request.headers) if (!HOP_BY_HOP.has(name)) headers.set(name, value);
  headers.set('x-forwarded-for', client);
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
