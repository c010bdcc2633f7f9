// A browser-like API client for tests: keeps cookies, sends the CSRF token the API
// issued, and comes from its own client address (so rate limits are per test user).
import { randomInt } from 'node:crypto';

export class TestClient {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie line this client was sent, in order (for checks of their lifetimes). */
  readonly setCookieLines: string[] = [];
  csrfToken?: string;
  readonly ip: string;
  private readonly baseUrl: string;

  constructor(baseUrl: string, ip?: string) {
    this.baseUrl = baseUrl;
    this.ip = ip ?? `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      this.setCookieLines.push(line);
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const h: Record<string, string> = { 'x-forwarded-for': this.ip, ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined && !('content-type' in headers)) h['content-type'] = 'application/json';
    if (this.csrfToken && method !== 'GET' && !('x-csrf-token' in headers))
      h['x-csrf-token'] = this.csrfToken;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    this.remember(res);
    return res;
  }

  /** Fetches a CSRF token bound to the current session (or visitor). */
  async refreshCsrf(): Promise<string> {
    const res = await this.request('GET', '/api/auth/session');
    const body = (await res.json()) as { csrfToken: string };
    this.csrfToken = body.csrfToken;
    return body.csrfToken;
  }

  get(path: string) {
    return this.request('GET', path);
  }
  post(path: string, body?: unknown) {
    return this.request('POST', path, body ?? {});
  }
  put(path: string, body?: unknown) {
    return this.request('PUT', path, body ?? {});
  }
  patch(path: string, body?: unknown) {
    return this.request('PATCH', path, body ?? {});
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
}
