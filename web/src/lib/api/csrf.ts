// The CSRF token for calls made from the browser: the one the page was rendered with, and
// a fresh one from the API if that was refused (another tab signed in or out meanwhile).
import { page } from '$app/state';
import { browserApi } from './browser.ts';
import type { ApiResult } from './client.ts';

export async function freshCsrf(): Promise<string> {
  const result = await browserApi.accounts.session();
  return result.ok ? result.data.csrfToken : '';
}

/** The page's token, or a new one when the page has none. */
export async function currentCsrf(): Promise<string> {
  return (page.data.csrfToken as string | undefined) || freshCsrf();
}

/** Makes a state-changing call, retrying once with a fresh token if the API refused the first. */
export async function withCsrf<T>(call: (csrfToken: string) => Promise<ApiResult<T>>): Promise<ApiResult<T>> {
  const first = await call(await currentCsrf());
  if (first.ok || first.problem.code !== 'csrf_failed') return first;
  return call(await freshCsrf());
}
