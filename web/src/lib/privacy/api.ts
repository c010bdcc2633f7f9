// The privacy and legal calls, on top of the site's API client (either transport: the
// site's server with the browser's cookies, or the browser itself). Kept apart from
// #lib/api/client.ts so the privacy pages add their calls without touching the shared one.
import type { ApiClient } from '../api/client.ts';
import type {
  CertificateSummary,
  DeletionCertificate,
  LegalHold,
  LegalRequestQuery,
  LegalRequestView,
  NewRequestBody,
  PolicyInfo,
  PrivacyRequestView,
  PrivacySettings,
  RequestAudit,
} from './types.ts';

const enc = encodeURIComponent;

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function privacyApi(api: ApiClient) {
  return {
    // ------------------------------------------------------------ the creator's requests

    requests: () => api.call<{ requests: PrivacyRequestView[] }>('GET', '/api/privacy/requests'),

    request: (id: string) => api.call<PrivacyRequestView>('GET', `/api/privacy/requests/${enc(id)}`),

    createRequest: (body: NewRequestBody, csrfToken: string) =>
      api.call<PrivacyRequestView>('POST', '/api/privacy/requests', { body, csrfToken }),

    verify: (id: string, code: string, csrfToken: string) =>
      api.call<PrivacyRequestView>('POST', `/api/privacy/requests/${enc(id)}/verify`, {
        body: { code },
        csrfToken,
      }),

    sendCode: (id: string, csrfToken: string) =>
      api.call<PrivacyRequestView>('POST', `/api/privacy/requests/${enc(id)}/code`, { body: {}, csrfToken }),

    cancel: (id: string, csrfToken: string) =>
      api.call<PrivacyRequestView>('POST', `/api/privacy/requests/${enc(id)}/cancel`, {
        body: {},
        csrfToken,
      }),

    /** By the signed link of the last email (the account can no longer sign in). */
    certificate: (id: string, token: string) =>
      api.call<DeletionCertificate>('GET', `/api/privacy/requests/${enc(id)}/certificate${query({ token })}`),

    // ------------------------------------------------------------ switches and policy

    settings: () => api.call<PrivacySettings>('GET', '/api/privacy/settings'),

    setRestriction: (restricted: boolean, csrfToken: string) =>
      api.call<PrivacySettings>('PUT', '/api/privacy/restriction', { body: { restricted }, csrfToken }),

    setObjection: (body: { analytics?: boolean; marketing?: boolean }, csrfToken: string) =>
      api.call<PrivacySettings>('PUT', '/api/privacy/objection', { body, csrfToken }),

    policy: () => api.call<PolicyInfo>('GET', '/api/privacy/policy'),

    acceptPolicy: (version: string, csrfToken: string) =>
      api.call<{ status: string; version: string; acceptedAt: string }>(
        'POST',
        '/api/privacy/policy/accept',
        {
          body: { version },
          csrfToken,
        },
      ),

    /** One-click unsubscribe by the signed link (the API needs no session or CSRF token for it). */
    unsubscribe: (userId: string, token: string) =>
      api.call<{ status: string; message?: string }>(
        'POST',
        `/api/privacy/unsubscribe${query({ u: userId, token })}`,
        { body: {} },
      ),

    // ------------------------------------------------------------ the legal team

    legalRequests: (params: LegalRequestQuery = {}) =>
      api.call<{ requests: LegalRequestView[] }>(
        'GET',
        `/api/legal/requests${query({ ...params } as Record<string, string | number | undefined>)}`,
      ),

    legalRequest: (id: string) => api.call<LegalRequestView>('GET', `/api/legal/requests/${enc(id)}`),

    extend: (id: string, body: { reason: string; months?: number }, csrfToken: string) =>
      api.call<LegalRequestView>('POST', `/api/legal/requests/${enc(id)}/extend`, { body, csrfToken }),

    audit: (id: string) => api.call<RequestAudit>('GET', `/api/legal/requests/${enc(id)}/audit`),

    legalCertificate: (id: string) =>
      api.call<DeletionCertificate>('GET', `/api/legal/requests/${enc(id)}/certificate`),

    certificates: (limit?: number) =>
      api.call<{ certificates: CertificateSummary[] }>('GET', `/api/legal/certificates${query({ limit })}`),

    holds: (params: { userId?: string; assetId?: string; active?: 'true' | 'false'; limit?: number } = {}) =>
      api.call<{ holds: LegalHold[] }>('GET', `/api/legal/holds${query(params)}`),

    placeHold: (body: { userId?: string; assetId?: string; reason: string }, csrfToken: string) =>
      api.call<LegalHold & { workflowsSignalled: number }>('POST', '/api/legal/holds', { body, csrfToken }),

    releaseHold: (id: string, reason: string, csrfToken: string) =>
      api.call<LegalHold & { workflowsSignalled: number }>('POST', `/api/legal/holds/${enc(id)}/release`, {
        body: { reason },
        csrfToken,
      }),
  };
}

export type PrivacyApi = ReturnType<typeof privacyApi>;
