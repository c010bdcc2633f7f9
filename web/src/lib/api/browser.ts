// The API client in the browser: same-origin /api/* (the site's server proxies it), so the
// session cookie stays first-party and the browser sends it by itself.
import { needsPolicyAcceptance, policyAcceptanceUrl } from '../policy/gate.ts';
import { ApiClient } from './client.ts';
import { problemFrom } from './errors.ts';

/** D-POLICY: a call refused until the new policy is accepted sends the person to accept it, then back. */
async function followPolicyGate(res: Response): Promise<Response> {
  if (res.status !== 403 || typeof window === 'undefined') return res;
  if (!needsPolicyAcceptance(await problemFrom(res.clone()))) return res;
  const to = policyAcceptanceUrl(new URL(window.location.href));
  if (to) window.location.assign(to);
  return res;
}

export const browserApi = new ApiClient(({ method, path, body, csrfToken, headers: extra }) => {
  const headers: Record<string, string> = { ...extra, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal: AbortSignal.timeout(15_000),
  }).then(followPolicyGate);
});
