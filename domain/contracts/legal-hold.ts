// What the API takes and gives for legal holds (R-HOLD): one schema for the API's
// validation and OpenAPI document, and the site's types (`z.infer`).
import { z } from 'zod';
import { HOLD_LIST_LIMIT, HOLD_LIST_MAX_LIMIT } from '../retention.ts';
import { nextCursor, pageQuery } from './page.ts';

const reason = z.string().trim().min(3).max(2000);

export const placeHoldBody = z
  .object({ userId: z.uuid().optional(), assetId: z.uuid().optional(), reason })
  .strict()
  .refine((b) => (b.userId ? 1 : 0) + (b.assetId ? 1 : 0) === 1, {
    message: 'Give either userId or assetId.',
    path: ['userId'],
  });
export type PlaceHoldBody = z.infer<typeof placeHoldBody>;

export const releaseHoldBody = z.object({ reason }).strict();
export type ReleaseHoldBody = z.infer<typeof releaseHoldBody>;

export const holdListQuery = z
  .object({
    userId: z.uuid().optional(),
    assetId: z.uuid().optional(),
    active: z.enum(['true', 'false']).optional(),
    ...pageQuery(HOLD_LIST_LIMIT, HOLD_LIST_MAX_LIMIT),
  })
  .refine((q) => !(q.userId && q.assetId), {
    message: 'Filter by userId or assetId, not both.',
    path: ['assetId'],
  });
export type HoldListQuery = z.infer<typeof holdListQuery>;

export const legalHoldView = z.object({
  id: z.uuid(),
  scope: z.enum(['user', 'asset']),
  userId: z.uuid().nullable(),
  /** The person's pseudonym once their account is deleted (the records kept name them by it). */
  subjectPseudonym: z.uuid().nullable(),
  assetId: z.uuid().nullable(),
  reason: z.string(),
  placedBy: z.uuid(),
  placedAt: z.string(),
  active: z.boolean(),
  releasedBy: z.uuid().nullable(),
  releasedAt: z.string().nullable(),
  releaseReason: z.string().nullable(),
});
export type LegalHoldView = z.infer<typeof legalHoldView>;

/** A hold placed or released, and how many waiting workflows were told. */
export const legalHoldChange = legalHoldView.extend({ workflowsSignalled: z.number() });
export type LegalHoldChange = z.infer<typeof legalHoldChange>;

export const legalHoldList = z.object({
  holds: z.array(legalHoldView),
  nextCursor,
});
export type LegalHoldList = z.infer<typeof legalHoldList>;
