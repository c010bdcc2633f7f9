// The marketing calls (D-CONSENT, D-UNSUB): the newest campaigns, and sending one with
// its Idempotency-Key (a form sent twice is one campaign); shapes from the contract.
import type {
  CampaignBody,
  CampaignList,
  CampaignStarted,
} from '../../../../domain/contracts/announcement.ts';
import type { ApiClient } from '../api/client.ts';

export function announcementCalls(api: ApiClient) {
  return {
    campaigns: () => api.call<CampaignList>('GET', '/api/admin/marketing/campaigns'),
    send: (body: CampaignBody, key: string, csrfToken: string) =>
      api.call<CampaignStarted>('POST', '/api/admin/marketing/campaigns', {
        body,
        csrfToken,
        headers: { 'Idempotency-Key': key },
      }),
  };
}
