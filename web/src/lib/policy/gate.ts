// D-POLICY on the site: once a policy version that needs consent is published, every API
// call of an account that has not accepted it answers 403 `policy_acceptance_required`.
// Wherever that happens (a page's load, a form action, a call from the browser) the
// person is sent to the acceptance page, and from there back to where they were.
import type { ApiProblem } from '../api/errors.ts';

export const POLICY_ACCEPTANCE_CODE = 'policy_acceptance_required';
export const POLICY_PAGE = '/policy';

export const needsPolicyAcceptance = (problem: Pick<ApiProblem, 'status' | 'code'>): boolean =>
  problem.status === 403 && problem.code === POLICY_ACCEPTANCE_CODE;

/** The page's own path and query, without SvelteKit's action name (`?/save`). */
export function returnPath(url: URL): string {
  const search = new URLSearchParams(url.search);
  for (const key of [...search.keys()]) if (key.startsWith('/')) search.delete(key);
  const rest = search.toString();
  return `${url.pathname}${rest ? `?${rest}` : ''}`;
}

/** The acceptance page, returning to `url` afterwards; null on the acceptance page itself. */
export function policyAcceptanceUrl(url: URL): string | null {
  if (url.pathname === POLICY_PAGE || url.pathname.startsWith(`${POLICY_PAGE}/`)) return null;
  const back = returnPath(url);
  return back === '/' ? POLICY_PAGE : `${POLICY_PAGE}?next=${encodeURIComponent(back)}`;
}
