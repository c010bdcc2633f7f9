// The generation calls (offered models, quotes, jobs, the review queue's decisions are in
// #lib/moderation/api.ts) on the site's API client; shapes from the generation contract.
import type {
  CreateJobInput,
  JobListParams,
  JobPage,
  JobRequestInput,
  JobView,
  OfferedModel,
  OpsJobView,
  Quote,
} from '../../../../domain/contracts/generation.ts';
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';

export function generationCalls(api: ApiClient) {
  return {
    models: () => api.call<{ models: OfferedModel[] }>('GET', '/api/models'),
    quote: (body: JobRequestInput, csrfToken: string) =>
      api.call<Quote>('POST', '/api/quotes', { body, csrfToken }),
    /** The same `idempotencyKey` always answers with the same job: a retry never makes a second one. */
    createJob: (body: CreateJobInput, idempotencyKey: string, csrfToken: string) =>
      api.call<JobView>('POST', '/api/jobs', {
        body,
        csrfToken,
        headers: { 'idempotency-key': idempotencyKey },
      }),
    jobs: (query: JobListParams = {}) => api.call<JobPage>('GET', `/api/jobs${queryString(query)}`),
    job: (id: string) => api.call<JobView>('GET', `/api/jobs/${seg(id)}`),
    cancelJob: (id: string, csrfToken: string) =>
      api.call<JobView>('POST', `/api/jobs/${seg(id)}/cancel`, { body: {}, csrfToken }),
    revisions: (id: string) => api.call<{ jobs: JobView[] }>('GET', `/api/jobs/${seg(id)}/revisions`),
    opsJob: (id: string) => api.call<OpsJobView>('GET', `/api/ops/jobs/${seg(id)}`),
  };
}
