// The API client on the site's server, for one browser request: it calls the API at
// API_INTERNAL_URL with that browser's cookies, address and user agent (so sessions,
// rate limits and the session log describe the browser, not this server), and hands every
// cookie the API sets back to the browser.
import { API_INTERNAL_URL } from '$app/env/private';
import { redirect, type RequestEvent } from '@sveltejs/kit';
import { ApiClient, type ApiResult, type Method, type Transport } from '../api/client.ts';
import { needsPolicyAcceptance, policyAcceptanceUrl } from '../policy/gate.ts';

const TIMEOUT_MS = 10_000;

/** `Set-Cookie` lines from the API, applied to the browser's response through SvelteKit's cookies. */
export function relayCookies(event: Pick<RequestEvent, 'cookies'>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const { name, value, ...options } = event.cookies.parse(line);
    if (!name) continue;
    event.cookies.set(name, value ?? '', {
      ...options,
      // SvelteKit's defaults differ from the API's; the API's own attributes win.
      path: options.path ?? '/',
      httpOnly: options.httpOnly ?? false,
      secure: options.secure ?? false,
      sameSite: options.sameSite ?? 'lax',
    });
  }
}

/**
 * D-POLICY: any call that answers `policy_acceptance_required` sends the browser to the
 * acceptance page and back afterwards, from whichever load or form action made it
 * (#lib/privacy/policyGate.ts).
 */
class SiteServerApi extends ApiClient {
  readonly #url: URL;

  constructor(transport: Transport, url: URL) {
    super(transport);
    this.#url = url;
  }

  override async call<T>(
    method: Method,
    path: string,
    options?: Parameters<ApiClient['call']>[2],
  ): Promise<ApiResult<T>> {
    const result = await super.call<T>(method, path, options);
    if (!result.ok && needsPolicyAcceptance(result.problem)) {
      const to = policyAcceptanceUrl(this.#url);
      if (to) redirect(303, to);
    }
    return result;
  }
}

export function serverApi(event: RequestEvent): ApiClient {
  return new SiteServerApi(async ({ method, path, body, csrfToken, headers: extra }) => {
    const headers = new Headers({ ...extra, accept: 'application/json' });
    // Cookies set earlier in this same request (by an action, before the page's loads) count too.
    const cookie = event.cookies
      .getAll()
      .map(({ name, value }) => `${name}=${encodeURIComponent(value)}`)
      .join('; ');
    if (cookie) headers.set('cookie', cookie);
    headers.set('x-forwarded-for', event.getClientAddress());
    headers.set('x-forwarded-proto', event.url.protocol.replace(':', ''));
    headers.set('x-forwarded-host', event.url.host);
    const userAgent = event.request.headers.get('user-agent');
    if (userAgent) headers.set('user-agent', userAgent);
    const language = event.request.headers.get('accept-language');
    if (language) headers.set('accept-language', language);
    for (const signal of ['dnt', 'sec-gpc']) {
      const value = event.request.headers.get(signal);
      if (value) headers.set(signal, value);
    }
    if (csrfToken) headers.set('x-csrf-token', csrfToken);
    if (body !== undefined) headers.set('content-type', 'application/json');
    const res = await fetch(`${API_INTERNAL_URL}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    relayCookies(event, res);
    return res;
  }, event.url);
}
