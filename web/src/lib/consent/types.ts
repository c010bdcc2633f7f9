// The consent API's shapes (api/routes/consent.ts, the analytics endpoint and the
// unsubscribe link) as the site uses them, until their contract lands in
// domain/contracts/consent.ts: then this file becomes one `export type { ... } from` line.

export interface ConsentChoice {
  granted: boolean;
  at: string;
  policyVersion: string;
}

export interface Consents {
  policyVersion: string;
  /** The request carried Do Not Track or Global Privacy Control. */
  doNotTrack: boolean;
  choices: { analytics: ConsentChoice | null; marketing_email: ConsentChoice | null };
}

export interface SaveConsentsBody {
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

export interface Unsubscribed {
  status: string;
  message?: string;
}
