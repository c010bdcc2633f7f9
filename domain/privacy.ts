// Rights requests (PROMISES.md, section D).
export const REQUEST_TYPES = [
  'access',
  'portability',
  'deletion',
  'rectification',
  'restriction',
  'objection',
  'consent_withdrawal',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const JURISDICTIONS = ['GDPR', 'CCPA', 'other'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

export const REQUEST_STATUSES = [
  'awaiting_verification',
  'verified',
  'in_progress',
  'paused',
  'completed',
  'rejected',
  'expired',
  'cancelled',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const CONSENT_PURPOSES = ['analytics', 'marketing_email'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
