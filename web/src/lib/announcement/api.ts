// The marketing calls (D-CONSENT, D-UNSUB): the campaigns a page at a time, and sending one with
// its Idempotency-Key (a form sent twice is one campaign); shapes from the contract.
import type {
  CampaignBody,
  CampaignList,
  CampaignStarted,
} from '../../../../domain/contracts/announcement.ts';
import type { ApiClient } from '../api/client.ts';
import { queryString } from '../api/query.ts';

export function announcementCalls(api: ApiClient) {
  return {
    /** A page of campaigns, newest first; the next starts at its `nextCursor`. */
    campaigns: (query: { cursor?: string } = {}) =>
      api.call<CampaignList>('GET', `/api/admin/marketing/campaigns${queryString(query)}`),
    send: (body: CampaignBody, key: string, csrfToken: string) =>
      api.call<CampaignStarted>('POST', '/api/admin/marketing/campaigns', {
        body,
        csrfToken,
        headers: { 'Idempotency-Key': key },
      }),
  };
}
