// The consent API's shapes (api/routes/consent.ts, the privacy switches, the analytics
// endpoint and the unsubscribe link) as the site uses them, until their contract lands in
// domain/contracts/consent.ts: then this file becomes one `export type { ... } from` line.
import type { ConsentPurpose } from '../../../../domain/privacy.ts';

export interface ConsentChoice {
  granted: boolean;
  at: string;
  policyVersion: string;
}

export interface ConsentsView {
  policyVersion: string;
  /** The request carried Do Not Track or Global Privacy Control. */
  doNotTrack: boolean;
  choices: { analytics: ConsentChoice | null; marketing_email: ConsentChoice | null };
}

export interface RecordConsentBody {
  analytics?: boolean;
  marketingEmail?: boolean;
  source: 'banner' | 'settings' | 'sign_up' | 'privacy_center';
}

export type AnalyticsEventType = 'page_view' | 'feature_use' | 'load_time' | 'error';
export interface AnalyticsEventBody {
  type: AnalyticsEventType;
  name: string;
  path?: string;
  valueMs?: number;
}

export interface UnsubscribeResult {
  status: string;
  message?: string;
}

/** `GET /api/privacy/settings` (and the answer of the restriction and objection switches). */
export interface PrivacySettings {
  restricted: boolean;
  restrictedAt: string | null;
  objections: { analytics: boolean; marketing: boolean };
  consents: Partial<Record<ConsentPurpose, ConsentChoice | null>>;
  policy: { currentVersion: string | null; acceptedVersion: string | null; acceptanceRequired: boolean };
}
