// What the API takes and gives for the versioned privacy policy (D-POLICY): the versions,
// the acceptance a change that needs consent asks for, and the legal team's publication.
// One schema for the API and the site (`z.infer`).
import { z } from 'zod';

export const policyVersionView = z.object({
  version: z.string(),
  publishedAt: z.string(),
  material: z.boolean(),
  requiresConsent: z.boolean(),
  summary: z.string(),
});
export type PolicyVersionView = z.infer<typeof policyVersionView>;

export const policyInfo = z.object({
  current: z.string().nullable(),
  versions: z.array(policyVersionView),
  acceptanceRequired: z.boolean(),
});
export type PolicyInfo = z.infer<typeof policyInfo>;

export const acceptPolicyBody = z.object({ version: z.string().min(1).max(32) }).strict();
export type AcceptPolicyBody = z.infer<typeof acceptPolicyBody>;

export const policyAccepted = z.object({
  status: z.literal('accepted'),
  version: z.string(),
  acceptedAt: z.string(),
});
export type PolicyAccepted = z.infer<typeof policyAccepted>;

export const publishPolicyBody = z
  .object({
    version: z.string().trim().min(1).max(32),
    summary: z.string().trim().min(3).max(4000),
    material: z.boolean(),
    requiresConsent: z.boolean(),
  })
  .strict()
  .refine((b) => b.material || !b.requiresConsent, {
    message: 'A change that needs consent is material.',
    path: ['material'],
  });
export type PublishPolicyBody = z.infer<typeof publishPolicyBody>;

export const policyPublished = policyVersionView.omit({ summary: true }).extend({
  /** The announcement emailing every account of a material change. */
  announcementWorkflowId: z.string().nullable(),
  /**
   * Temporal did not answer in time: the version is published, and its announcement
   * starts once Temporal answers (the unstarted sweep, every minute).
   */
  announcementKept: z.boolean(),
});
export type PolicyPublished = z.infer<typeof policyPublished>;
