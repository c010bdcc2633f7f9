// The deletion certificate's calls (R-PROOF, D-ERASE): the person's, by the signed link of
// the last email, and the legal team's list and copies. The deletion itself is a rights
// request (#lib/rights-request/api.ts).
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';
import type { CertificateList, CertificateView } from './types.ts';

export function accountDeletionCalls(api: ApiClient) {
  return {
    /** By the signed link of the last email (the account can no longer sign in). */
    certificate: (requestId: string, token: string) =>
      api.call<CertificateView>(
        'GET',
        `/api/privacy/requests/${seg(requestId)}/certificate${queryString({ token })}`,
      ),
    legalCertificate: (requestId: string) =>
      api.call<CertificateView>('GET', `/api/legal/requests/${seg(requestId)}/certificate`),
    /** A page of certificates, newest first; the next starts at its `nextCursor`. */
    certificates: (query: { cursor?: string } = {}) =>
      api.call<CertificateList>('GET', `/api/legal/certificates${queryString(query)}`),
  };
}
