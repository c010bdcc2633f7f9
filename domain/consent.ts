// Consent and the mail it governs (D-CONSENT, D-UNSUB): the purposes a person opts in
// to, where a choice was made, and the two kinds of email. Pure: safe anywhere.
import { days } from './time.ts';

export const CONSENT_PURPOSES = ['analytics', 'marketing_email'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/**
 * What a consent record may be about: the opt-in purposes above, and the acceptance of
 * the privacy policy (D-POLICY) at sign-up or after a change, recorded with its version.
 */
export const RECORDED_PURPOSES = [...CONSENT_PURPOSES, 'privacy_policy'] as const;
export type RecordedPurpose = (typeof RECORDED_PURPOSES)[number];

/** Where a choice made through the consent API came from. */
export const CONSENT_SOURCES = ['banner', 'settings', 'sign_up', 'privacy_center'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** What a person can object to (D-OBJECT). */
export const OBJECTION_PURPOSES = ['analytics', 'marketing'] as const;
export type ObjectionPurpose = (typeof OBJECTION_PURPOSES)[number];

/** Email categories: marketing needs opt-in and carries an unsubscribe link (D-UNSUB); transactional does not. */
export const EMAIL_CATEGORIES = ['transactional', 'marketing'] as const;
export type EmailCategory = (typeof EMAIL_CATEGORIES)[number];

/**
 * What became of an email the platform tried to send: taken by the mail relay; refused
 * for good (an unknown or suppressed mailbox, a 5xx reply); or undelivered, when a
 * workflow's step met only passing failures (no connection, a 4xx reply such as a
 * domain not found) for the whole of MAIL_DELIVERY_WINDOW_MS. Neither of the last two is
 * tried again, and the process that sent it (a rights request's last step, a policy
 * announcement to everyone after that person) goes on.
 */
export const EMAIL_OUTCOMES = ['sent', 'refused', 'undelivered'] as const;
export type EmailOutcome = (typeof EMAIL_OUTCOMES)[number];

/**
 * How long a workflow's step keeps trying an email the relay defers: as long as a mail
 * server keeps a message it cannot deliver yet (Postfix's `maximal_queue_lifetime`).
 */
export const MAIL_DELIVERY_WINDOW_MS = days(5);

/** How long an unsubscribe link in a marketing email works. */
export const UNSUBSCRIBE_LINK_TTL_MS = days(365);
