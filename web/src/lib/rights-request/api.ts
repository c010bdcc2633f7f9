// The rights-request calls: the person's own requests (make, confirm with the emailed
// code, cancel, follow), and the legal team's list, extension and audit export.
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';
import type {
  LegalRequestQuery,
  LegalRequestList,
  LegalRequestView,
  CreateRequestBody,
  RequestAudit,
  RequestView,
} from './types.ts';

export function rightsRequestCalls(api: ApiClient) {
  const mine = (id: string) => `/api/privacy/requests/${seg(id)}`;
  const legal = (id: string) => `/api/legal/requests/${seg(id)}`;
  return {
    requests: () => api.call<{ requests: RequestView[] }>('GET', '/api/privacy/requests'),
    request: (id: string) => api.call<RequestView>('GET', mine(id)),
    create: (body: CreateRequestBody, csrfToken: string) =>
      api.post<RequestView>('/api/privacy/requests', body, csrfToken),
    verify: (id: string, code: string, csrfToken: string) =>
      api.post<RequestView>(`${mine(id)}/verify`, { code }, csrfToken),
    sendCode: (id: string, csrfToken: string) => api.post<RequestView>(`${mine(id)}/code`, {}, csrfToken),
    cancel: (id: string, csrfToken: string) => api.post<RequestView>(`${mine(id)}/cancel`, {}, csrfToken),

    legalRequests: (query: LegalRequestQuery = {}) =>
      api.call<LegalRequestList>('GET', `/api/legal/requests${queryString({ ...query })}`),
    legalRequest: (id: string) => api.call<LegalRequestView>('GET', legal(id)),
    extend: (id: string, body: { reason: string; months?: number }, csrfToken: string) =>
      api.post<LegalRequestView>(`${legal(id)}/extend`, body, csrfToken),
    audit: (id: string) => api.call<RequestAudit>('GET', `${legal(id)}/audit`),
  };
}
