// The consent API's shapes (consents, the privacy switches, the analytics endpoint and the
// unsubscribe link), from its contract (domain/contracts/consent.ts).
export type {
  AnalyticsEventsBody,
  ConsentChoice,
  ConsentsView,
  PrivacySettings,
  RecordConsentBody,
  UnsubscribeResult,
} from '../../../../domain/contracts/consent.ts';
export type { AnalyticsEventType } from '../../../../domain/analytics.ts';
/** One event of a report (`POST /api/analytics/events`). */
export type AnalyticsEventBody =
  import('../../../../domain/contracts/consent.ts').AnalyticsEventsBody['events'][number];
