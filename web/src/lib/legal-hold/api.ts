// The legal-hold calls (R-HOLD): the list, placing and releasing a hold; shapes from the
// legal-hold contract.
import type {
  LegalHoldChange,
  LegalHoldList,
  PlaceHoldBody,
} from '../../../../domain/contracts/legal-hold.ts';
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';

export interface HoldFilter {
  userId?: string;
  assetId?: string;
  active?: 'true' | 'false';
  limit?: number;
  /** The page before's `nextCursor`. */
  cursor?: string;
}

export function legalHoldCalls(api: ApiClient) {
  return {
    holds: (filter: HoldFilter = {}) =>
      api.call<LegalHoldList>('GET', `/api/legal/holds${queryString({ ...filter })}`),
    place: (body: PlaceHoldBody, csrfToken: string) =>
      api.call<LegalHoldChange>('POST', '/api/legal/holds', { body, csrfToken }),
    release: (id: string, reason: string, csrfToken: string) =>
      api.call<LegalHoldChange>('POST', `/api/legal/holds/${seg(id)}/release`, {
        body: { reason },
        csrfToken,
      }),
  };
}
