// A load that cannot do without an API answer: the data, or SvelteKit's error page with
// words for people (404 for an id that leads nowhere, the API's own status otherwise).
import { error } from '@sveltejs/kit';
import type { ApiResult } from '../api/client.ts';
import { friendlyMessage } from '../api/errors.ts';

export function must<T>(result: ApiResult<T>, notFound?: string): T {
  if (result.ok) return result.data;
  const { problem } = result;
  if (notFound && (problem.status === 404 || problem.status === 400)) error(404, notFound);
  error(problem.status >= 400 ? problem.status : 503, friendlyMessage(problem));
}
