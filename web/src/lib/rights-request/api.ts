// The rights-request calls: the person's own requests (make, confirm with the emailed
// code, cancel, follow), and the legal team's list, extension and audit export.
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';
import type {
  LegalRequestQuery,
  LegalRequestList,
  LegalRequestView,
  CreateRequestBody,
  MyRequestQuery,
  RequestAudit,
  RequestList,
  RequestView,
} from './types.ts';

export function rightsRequestCalls(api: ApiClient) {
  const mine = (id: string) => `/api/privacy/requests/${seg(id)}`;
  const legal = (id: string) => `/api/legal/requests/${seg(id)}`;
  return {
    /** A page of my requests; `cursor` is the page before's `nextCursor`. */
    requests: (query: MyRequestQuery = {}) =>
      api.call<RequestList>('GET', `/api/privacy/requests${queryString({ ...query })}`),
    /** My account deletion that has not finished, if any (one at a time). */
    openDeletion: async () => {
      const open = await api.call<RequestList>(
        'GET',
        `/api/privacy/requests${queryString({ status: 'open', type: 'deletion', limit: 1 })}`,
      );
      return open.ok ? { ...open, data: open.data.requests[0] ?? null } : open;
    },
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
