// The durations a process enforces (retention, request and consent periods): the policy
// table's and the domain's, unless a test stack shortened some (DURATION_OVERRIDES).
import { z } from 'zod';
import { PARENTAL_CONSENT_PERIOD_MS } from '../domain/accounts.ts';
import { MAIL_DELIVERY_WINDOW_MS } from '../domain/consent.ts';
import { OUTPUT_STORE_WAIT_MS, RENDER_STORE_WAIT_MS } from '../domain/generation.ts';
import { MEDIA_STORE_WAIT_MS } from '../domain/script.ts';
import { UNVERIFIED_REQUEST_TTL_MS } from '../domain/rights-request.ts';
import { RETENTION_SUBJECTS, retentionMs, type RetentionSubject } from '../domain/retention-policy.ts';
import { TAKEDOWN_ANSWER_WINDOW_MS } from '../domain/takedown.ts';

const DURATION_NAMES = [
  ...RETENTION_SUBJECTS,
  'unverifiedRequest',
  'parentalConsent',
  'takedownAnswer',
  'mailDelivery',
  'outputStoreWait',
  'renderStoreWait',
  'mediaStoreWait',
] as const;
type DurationName = (typeof DURATION_NAMES)[number];
export const durationOverrides = z
  .string()
  .min(1)
  .transform((value, ctx) => {
    const out: Partial<Record<DurationName, number>> = {};
    for (const pair of value.split(',')) {
      const [name, ms] = pair.split('=').map((s) => s.trim());
      if (!(DURATION_NAMES as readonly string[]).includes(name ?? '') || !/^[1-9]\d*$/.test(ms ?? '')) {
        ctx.addIssue({
          code: 'custom',
          message: `"${pair}" is not name=milliseconds (${DURATION_NAMES.join(', ')})`,
        });
        return z.NEVER;
      }
      out[name as DurationName] = Number(ms);
    }
    return out;
  });

/** The durations this process enforces: the policy table's, unless a test stack shortened some. */
export function configuredDurations(overrides: Partial<Record<DurationName, number>>) {
  const retention = Object.fromEntries(
    RETENTION_SUBJECTS.map((subject) => [subject, overrides[subject] ?? retentionMs(subject)]),
  ) as Record<RetentionSubject, number>;
  return {
    /** How long each kind of data is kept (RETENTION_POLICY). */
    retentionMs: (subject: RetentionSubject): number => retention[subject],
    /** How long an unverified rights request waits for its code before it expires. */
    unverifiedRequestMs: overrides.unverifiedRequest ?? UNVERIFIED_REQUEST_TTL_MS,
    /** How long an account waits for a parent's confirmation before it is deleted (D-MINOR). */
    parentalConsentMs: overrides.parentalConsent ?? PARENTAL_CONSENT_PERIOD_MS,
    /** How long a creator may answer an upheld take-down (S-TAKEDOWN). */
    takedownAnswerMs: overrides.takedownAnswer ?? TAKEDOWN_ANSWER_WINDOW_MS,
    /** How long a workflow's step keeps trying an email the relay defers. */
    mailDeliveryMs: overrides.mailDelivery ?? MAIL_DELIVERY_WINDOW_MS,
    /** How long a job's output copy keeps trying while our storage does not answer. */
    outputStoreWaitMs: overrides.outputStoreWait ?? OUTPUT_STORE_WAIT_MS,
    /** How long a job's built-in render keeps trying while our storage does not answer. */
    renderStoreWaitMs: overrides.renderStoreWait ?? RENDER_STORE_WAIT_MS,
    /** How long a script run's voice track and composition keep trying while our storage does not answer. */
    mediaStoreWaitMs: overrides.mediaStoreWait ?? MEDIA_STORE_WAIT_MS,
  };
}
export type Durations = ReturnType<typeof configuredDurations>;
