// The API client in the browser: same-origin /api/* (the site's server proxies it), so the
// session cookie stays first-party and the browser sends it by itself.
import { ApiClient } from './client.ts';

export const browserApi = new ApiClient(({ method, path, body, csrfToken }) => {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal: AbortSignal.timeout(15_000),
  });
});
