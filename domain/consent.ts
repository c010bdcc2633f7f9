// Consent and the mail it governs (D-CONSENT, D-UNSUB): the purposes a person opts in
// to, where a choice was made, and the two kinds of email. Pure: safe anywhere.
import { days } from './time.ts';

export const CONSENT_PURPOSES = ['analytics', 'marketing_email'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** Where a choice made through the consent API came from. */
export const CONSENT_SOURCES = ['banner', 'settings', 'sign_up', 'privacy_center'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** What a person can object to (D-OBJECT). */
export const OBJECTION_PURPOSES = ['analytics', 'marketing'] as const;
export type ObjectionPurpose = (typeof OBJECTION_PURPOSES)[number];

/** Email categories: marketing needs opt-in and carries an unsubscribe link (D-UNSUB); transactional does not. */
export const EMAIL_CATEGORIES = ['transactional', 'marketing'] as const;
export type EmailCategory = (typeof EMAIL_CATEGORIES)[number];

/** How long an unsubscribe link in a marketing email works. */
export const UNSUBSCRIBE_LINK_TTL_MS = days(365);
