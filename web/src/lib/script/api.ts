// The script project calls, on top of the site's API client (either transport: the
// site's server with the browser's cookies, or the browser itself). Kept apart from
// #lib/api/client.ts so the script pages add their calls without touching the shared one.
import type { ApiClient } from '../api/client.ts';
import { queryString } from '../api/query.ts';
import type {
  CreateScriptInput,
  ProjectPage,
  ProjectQuote,
  ProjectView,
  RevisionComparison,
  RevisionView,
  SplitMethod,
} from './types.ts';

const enc = encodeURIComponent;

export function scriptApi(api: ApiClient) {
  const project = (id: string) => `/api/scripts/${enc(id)}`;
  return {
    /** A page of the creator's projects, last changed first; `cursor` is the page before's `nextCursor`. */
    projects: (cursor?: string) => api.call<ProjectPage>('GET', `/api/scripts${queryString({ cursor })}`),

    project: (id: string) => api.call<ProjectView>('GET', project(id)),

    create: (body: CreateScriptInput, csrfToken: string) =>
      api.call<ProjectView>('POST', '/api/scripts', { body, csrfToken }),

    update: (id: string, body: Record<string, unknown>, csrfToken: string) =>
      api.call<ProjectView>('PATCH', project(id), { body, csrfToken }),

    split: (id: string, method: SplitMethod, csrfToken: string) =>
      api.call<ProjectView>('POST', `${project(id)}/split`, { body: { method }, csrfToken }),

    editScene: (id: string, sceneId: string, body: Record<string, unknown>, csrfToken: string) =>
      api.call<ProjectView>('PATCH', `${project(id)}/scenes/${enc(sceneId)}`, { body, csrfToken }),

    quote: (id: string, csrfToken: string) =>
      api.call<ProjectQuote>('POST', `${project(id)}/quote`, { body: {}, csrfToken }),

    /** The same `idempotencyKey` always answers with the same run: a double submit never runs twice. */
    run: (id: string, quoteHash: string, idempotencyKey: string, csrfToken: string) =>
      api.call<ProjectView>('POST', `${project(id)}/runs`, {
        body: { quoteHash },
        csrfToken,
        headers: { 'idempotency-key': idempotencyKey },
      }),

    cancel: (id: string, csrfToken: string) =>
      api.call<ProjectView>('POST', `${project(id)}/cancel`, { body: {}, csrfToken }),

    revisions: (id: string) => api.call<{ revisions: RevisionView[] }>('GET', `${project(id)}/revisions`),

    revision: (id: string, number: number) =>
      api.call<RevisionView>('GET', `${project(id)}/revisions/${number}`),

    compare: (id: string, from: number, to: number) =>
      api.call<RevisionComparison>('GET', `${project(id)}/compare?from=${from}&to=${to}`),
  };
}
