import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow, uuidKey } from './columns.ts';
import { REVIEW_KINDS, REVIEW_SUBJECTS, type ImageScores } from '../../domain/moderation.ts';
import { User } from './User.ts';

/**
 * A person's review (S-MOD, D-ADM): a job or file held by automated moderation, or one
 * the creator asked a person to look at after an automatic refusal. Open until decided;
 * the decision, its reason and who made it stay with it (and in the audit log).
 */
export const ModerationReview = defineEntity({
  name: 'ModerationReview',
  tableName: 'moderation_reviews',
  // One review of each thing: a job's prompt, its video, an uploaded file.
  uniques: [{ properties: ['jobId', 'subject'] }, { properties: ['assetId'] }],
  // The review queue, oldest first, reads the undecided ones alone: among 1,000,000
  // reviews, 200 open, 86 ms through the decided ones, 0.1 ms from this
  // (migration 20261207131809).
  indexes: [
    { name: 'moderation_reviews_open_index', properties: ['createdAt', 'id'], where: 'decided_at is null' },
  ],
  properties: {
    id: uuidKey(),
    kind: p.enum(REVIEW_KINDS),
    subject: p.enum(REVIEW_SUBJECTS),
    jobId: p.uuid().nullable(),
    assetId: p.uuid().nullable(),
    /** Whose content it is; the review goes with the account. */
    user: () => p.manyToOne(User).mapToPk().deleteRule('cascade').index(),
    /** What automated moderation said, in the creator's words. */
    reason: p.text().nullable(),
    categories: p.json<string[]>().default('[]'),
    /** The classifier's scores behind it (images, video frames). */
    scores: p.json<ImageScores>().nullable(),
    /** The creator's own words when they asked for the review. */
    note: p.text().nullable(),
    createdAt: createdNow().index(),
    decidedAt: p.datetime().nullable(),
    decidedBy: p.uuid().nullable(),
    approved: p.boolean().nullable(),
    decisionReason: p.text().nullable(),
  },
});
export type ModerationReview = InferEntity<typeof ModerationReview>;
