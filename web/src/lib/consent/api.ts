// The consent calls (D-CONSENT, D-UNSUB): the visitor's choices, saving one, analytics
// events and the one-click unsubscribe, on the site's API client.
import type { ApiClient } from '../api/client.ts';
import { queryString } from '../api/query.ts';
import type { AnalyticsEventBody, Consents, SaveConsentsBody, Unsubscribed } from './types.ts';

export function consentCalls(api: ApiClient) {
  return {
    consents: () => api.call<Consents>('GET', '/api/consents'),
    save: (body: SaveConsentsBody, csrfToken: string) =>
      api.call<Omit<Consents, 'doNotTrack'>>('PUT', '/api/consents', { body, csrfToken }),
    sendAnalytics: (events: AnalyticsEventBody[], csrfToken: string) =>
      api.call<{ stored: number; reason?: string }>('POST', '/api/analytics/events', {
        body: { events },
        csrfToken,
      }),
    /** By the signed link of a marketing email (the API needs no session or CSRF token for it). */
    unsubscribe: (userId: string, token: string) =>
      api.call<Unsubscribed>('POST', `/api/privacy/unsubscribe${queryString({ u: userId, token })}`, {
        body: {},
      }),
  };
}
