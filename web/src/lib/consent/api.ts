// The consent calls (D-CONSENT, D-RESTRICT, D-OBJECT, D-UNSUB): the visitor's choices,
// saving one, the privacy switches (restriction, objection), analytics events and the
// one-click unsubscribe, on the site's API client.
import type { ApiClient } from '../api/client.ts';
import { queryString } from '../api/query.ts';
import type {
  AnalyticsEventBody,
  ConsentsView,
  PrivacySettings,
  RecordConsentBody,
  UnsubscribeResult,
} from './types.ts';

export function consentCalls(api: ApiClient) {
  return {
    consents: () => api.call<ConsentsView>('GET', '/api/consents'),
    save: (body: RecordConsentBody, csrfToken: string) =>
      api.call<Omit<ConsentsView, 'doNotTrack'>>('PUT', '/api/consents', { body, csrfToken }),
    sendAnalytics: (events: AnalyticsEventBody[], csrfToken: string) =>
      api.call<{ stored: number; reason?: string }>('POST', '/api/analytics/events', {
        body: { events },
        csrfToken,
      }),
    settings: () => api.call<PrivacySettings>('GET', '/api/privacy/settings'),
    setRestriction: (restricted: boolean, csrfToken: string) =>
      api.call<PrivacySettings>('PUT', '/api/privacy/restriction', { body: { restricted }, csrfToken }),
    setObjection: (body: { analytics?: boolean; marketing?: boolean }, csrfToken: string) =>
      api.call<PrivacySettings>('PUT', '/api/privacy/objection', { body, csrfToken }),
    /** By the signed link of a marketing email (the API needs no session or CSRF token for it). */
    unsubscribe: (userId: string, token: string) =>
      api.call<UnsubscribeResult>('POST', `/api/privacy/unsubscribe${queryString({ u: userId, token })}`, {
        body: {},
      }),
  };
}
