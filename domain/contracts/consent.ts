// What the API takes and gives for a person's choices about processing: consent and
// first-party analytics (D-CONSENT, D-DNT), the restriction and objection switches
// (D-RESTRICT, D-OBJECT), the privacy settings page, and one-click unsubscribe (D-UNSUB).
// One schema for the API and the site (`z.infer`).
import { z } from 'zod';
import { ANALYTICS_EVENT_TYPES, MAX_ANALYTICS_BATCH } from '../analytics.ts';
import { CONSENT_SOURCES } from '../consent.ts';

export const consentChoice = z.object({ granted: z.boolean(), at: z.string(), policyVersion: z.string() });
export type ConsentChoice = z.infer<typeof consentChoice>;

/** The latest choice per purpose (null: never asked). */
export const consentChoices = z.object({
  analytics: consentChoice.nullable(),
  marketing_email: consentChoice.nullable(),
});
export type ConsentChoices = z.infer<typeof consentChoices>;

export const consentsView = z.object({
  policyVersion: z.string(),
  doNotTrack: z.boolean(),
  choices: consentChoices,
});
export type ConsentsView = z.infer<typeof consentsView>;

export const recordConsentBody = z
  .object({
    analytics: z.boolean().optional(),
    marketingEmail: z.boolean().optional(),
    source: z.enum(CONSENT_SOURCES),
  })
  .refine((b) => b.analytics !== undefined || b.marketingEmail !== undefined, 'Choose at least one purpose.');
export type RecordConsentBody = z.infer<typeof recordConsentBody>;

export const consentsRecorded = z.object({ policyVersion: z.string(), choices: consentChoices });
export type ConsentsRecorded = z.infer<typeof consentsRecorded>;

export const analyticsEventsBody = z.object({
  events: z
    .array(
      z.object({
        type: z.enum(ANALYTICS_EVENT_TYPES),
        name: z.string().min(1).max(100),
        path: z.string().max(300).optional(),
        valueMs: z.number().int().min(0).max(3_600_000).optional(),
      }),
    )
    .min(1)
    .max(MAX_ANALYTICS_BATCH),
});
export type AnalyticsEventsBody = z.infer<typeof analyticsEventsBody>;

export const analyticsStored = z.object({
  stored: z.number(),
  reason: z.enum(['do_not_track', 'no_consent', 'restricted', 'objected']).optional(),
});
export type AnalyticsStored = z.infer<typeof analyticsStored>;

// ---------------------------------------------------------------- settings

export const privacySettings = z.object({
  restricted: z.boolean(),
  restrictedAt: z.string().nullable(),
  objections: z.object({ analytics: z.boolean(), marketing: z.boolean() }),
  consents: consentChoices,
  policy: z.object({
    currentVersion: z.string().nullable(),
    acceptedVersion: z.string().nullable(),
    acceptanceRequired: z.boolean(),
  }),
});
export type PrivacySettings = z.infer<typeof privacySettings>;

export const restrictionBody = z.object({ restricted: z.boolean() }).strict();
export type RestrictionBody = z.infer<typeof restrictionBody>;

export const objectionBody = z
  .object({ analytics: z.boolean().optional(), marketing: z.boolean().optional() })
  .strict()
  .refine((b) => b.analytics !== undefined || b.marketing !== undefined, 'Choose analytics or marketing.');
export type ObjectionBody = z.infer<typeof objectionBody>;

// ---------------------------------------------------------------- unsubscribe

/** The signed link of a marketing email: the link is the authentication. */
export const unsubscribeQuery = z.object({ u: z.uuid(), token: z.string().min(10).max(200) });
export type UnsubscribeQuery = z.infer<typeof unsubscribeQuery>;

export const unsubscribeResult = z.object({
  status: z.enum(['subscribed', 'unsubscribed']),
  message: z.string().optional(),
});
export type UnsubscribeResult = z.infer<typeof unsubscribeResult>;
