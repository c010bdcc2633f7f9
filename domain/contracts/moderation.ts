// What the API takes and gives for moderation (S-MOD, D-ADM): where a file or job stands,
// the creator's request for a person's review, and the staff review queue. One schema
// for the API's validation and OpenAPI document, and the site's types (`z.infer`).
import { z } from 'zod';
import { ASSET_MODERATION, IMAGE_CLASSES, REVIEW_KINDS, REVIEW_SUBJECTS } from '../moderation.ts';

export const REVIEW_STATUSES = ['pending', 'approved', 'rejected'] as const;

/** A person's review of a job or file: asked for (or held), then decided with a reason. */
export const reviewView = z.object({
  id: z.uuid(),
  kind: z.enum(REVIEW_KINDS),
  status: z.enum(REVIEW_STATUSES),
  requestedAt: z.string(),
  decidedAt: z.string().nullable(),
  /** The reviewer's reason, once decided. */
  reason: z.string().nullable(),
  /** For a refused job: the job that runs it again, at its quoted price, for the review. */
  jobId: z.uuid().nullable(),
});
export type ReviewView = z.infer<typeof reviewView>;

/** Where an uploaded image (or generated video) stands with moderation. */
export const assetModerationView = z.object({
  status: z.enum(ASSET_MODERATION),
  message: z.string().nullable(),
  review: reviewView.nullable(),
  /** Refused automatically and not yet reviewed: the owner may ask a person (D-ADM). */
  reviewRequestable: z.boolean(),
});
export type AssetModerationView = z.infer<typeof assetModerationView>;

export const reviewRequestBody = z.object({
  /** Why the creator thinks the refusal is wrong; optional. */
  note: z.string().trim().max(2000).optional(),
});
export type ReviewRequestBody = z.infer<typeof reviewRequestBody>;

export const imageScores = z.record(z.enum(IMAGE_CLASSES), z.number());

/** An uploaded image in the staff queue. */
export const heldUpload = z.object({
  reviewId: z.uuid(),
  assetId: z.uuid(),
  kind: z.enum(REVIEW_KINDS),
  reason: z.string().nullable(),
  categories: z.array(z.string()),
  scores: imageScores.nullable(),
  note: z.string().nullable(),
  createdAt: z.string(),
});
export type HeldUpload = z.infer<typeof heldUpload>;

export const reviewSubject = z.enum(REVIEW_SUBJECTS);

/** A short-lived link for a reviewer to look at the image or video under review. */
export const reviewMediaLink = z.object({ url: z.url(), expiresAt: z.string(), contentType: z.string() });
