// What the API takes and gives for account deletions beyond the request itself (D-ERASE,
// R-PROOF, D-MINOR): deletion certificates (by the emailed signed link, and for the legal
// team) and support's finding of an under-age account. One schema for the API and the
// site (`z.infer`).
import { z } from 'zod';
import { EMAIL_MAX_LENGTH } from '../accounts.ts';
import {
  CERTIFICATE_LIST_LIMIT,
  CERTIFICATE_LIST_MAX_LIMIT,
  DELETION_ORIGINS,
  ERASURE_OUTCOMES,
} from '../account-deletion.ts';
import { nextCursor, pageQuery } from './page.ts';

export const certificateSummary = z.object({
  id: z.uuid(),
  requestId: z.uuid(),
  subjectId: z.uuid(),
  origin: z.enum(DELETION_ORIGINS),
  issuedAt: z.string(),
  certificateHash: z.string(),
});
export type CertificateSummary = z.infer<typeof certificateSummary>;

/** One deleted object on a certificate, with its proof (R-PROOF). */
export const deletionProofEntry = z.object({
  proofId: z.string().optional(),
  assetId: z.string().optional(),
  kind: z.string().optional(),
  reason: z.string().optional(),
  deletedAt: z.string().nullable().optional(),
  verifiedAt: z.string().nullable().optional(),
  objectExisted: z.boolean().optional(),
  sizeBytes: z.number().nullable().optional(),
  recordHash: z.string().optional(),
});
export type DeletionProofEntry = z.infer<typeof deletionProofEntry>;

/** A provider told to erase what it received, and its answer (D-RECIPIENTS). */
export const recipientEntry = z.object({
  provider: z.string().optional(),
  jobId: z.string().optional(),
  sentAt: z.string().nullable().optional(),
  outcome: z.enum(ERASURE_OUTCOMES).nullable().optional(),
  at: z.string().nullable().optional(),
});
export type RecipientEntry = z.infer<typeof recipientEntry>;

/** A subscription ended by the deletion, cancelled at Stripe before anything was erased (D-ERASE). */
export const cancelledSubscriptionEntry = z.object({
  subscriptionId: z.string().optional(),
  planId: z.string().optional(),
  /** What Stripe was told: the subscription cancelled, a Checkout page expired, or it had ended. */
  atStripe: z.string().optional(),
  endedAt: z.string().nullable().optional(),
});
export type CancelledSubscriptionEntry = z.infer<typeof cancelledSubscriptionEntry>;

/** What a certificate holds (certificateVersion 1: activities/account-deletion/certificate.ts). */
export const certificateContents = z.looseObject({
  certificateVersion: z.number().optional(),
  requestId: z.string().optional(),
  subjectId: z.string().optional(),
  origin: z.enum(DELETION_ORIGINS).optional(),
  requestedAt: z.string().optional(),
  verifiedAt: z.string().nullable().optional(),
  completedAt: z.string().optional(),
  promise: z.object({ id: z.string(), deadline: z.string() }).optional(),
  deletedObjects: z.array(deletionProofEntry).optional(),
  subscriptionsCancelled: z
    .object({ beforeErasure: z.boolean().optional(), subscriptions: z.array(cancelledSubscriptionEntry) })
    .optional(),
  erasedRows: z.record(z.string(), z.number()).optional(),
  anonymized: z.record(z.string(), z.unknown()).optional(),
  recipients: z.array(recipientEntry).optional(),
  kept: z
    .looseObject({
      why: z.string().optional(),
      records: z
        .array(
          z.object({
            record: z.string(),
            refersBy: z.string(),
            reason: z.string(),
            until: z.string().nullable(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type CertificateContents = z.infer<typeof certificateContents>;

/** The certificate with its contents. */
export const certificateView = certificateSummary.extend({ contents: certificateContents });
export type CertificateView = z.infer<typeof certificateView>;

export const certificateList = z.object({
  certificates: z.array(certificateSummary),
  nextCursor,
});
export type CertificateList = z.infer<typeof certificateList>;

export const certificateListQuery = z.object({
  ...pageQuery(CERTIFICATE_LIST_LIMIT, CERTIFICATE_LIST_MAX_LIMIT),
});
export type CertificateListQuery = z.infer<typeof certificateListQuery>;

/** The signed link emailed when the deletion was done (the account can no longer sign in). */
export const certificateLinkQuery = z.object({ token: z.string().min(10).max(200) });

/** The account a staff action is about. */
export const accountParams = z.object({ id: z.uuid() });

export const markMinorBody = z
  .object({
    reason: z.string().trim().min(3).max(2000),
    parentEmail: z
      .string()
      .trim()
      .toLowerCase()
      .max(EMAIL_MAX_LENGTH)
      .pipe(z.email({ message: 'Enter a valid email address.' }))
      .optional(),
  })
  .strict();
export type MarkMinorBody = z.infer<typeof markMinorBody>;

export const minorMarked = z.object({
  status: z.literal('suspended_minor'),
  requestId: z.uuid(),
  parentNotified: z.boolean(),
});
export type MinorMarked = z.infer<typeof minorMarked>;
