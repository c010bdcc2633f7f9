import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { ASSET_MODERATION, type ImageScores } from '../../domain/moderation.ts';
import { createdNow, uuidKey } from './columns.ts';
import { ASSET_KINDS, ASSET_STATUSES, DELETION_REASONS } from '../../domain/retention.ts';
import { User } from './User.ts';

/** One object in storage, with the time it must be gone by. */
export const Asset = defineEntity({
  name: 'Asset',
  tableName: 'assets',
  // The overdue sweep's scan (activities/sweeps/overdue.ts): the rows still to delete, in
  // delete-at order, without the deleted rows of years past.
  indexes: [
    { name: 'assets_overdue_index', properties: ['deleteAt', 'id'], where: "status <> 'deleted'" },
    // A creator's files of one kind, newest first, a page at a time (the library, the
    // pickers): read in order from the index, where the creator's rows were sorted, 30 ms
    // for a studio's 200,000 (migration 20261207131218). It leads with the owner, so it
    // serves every lookup by owner too.
    { name: 'assets_owner_newest_index', properties: ['user', 'kind', 'createdAt', 'id'] },
  ],
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null'),
    kind: p.enum(ASSET_KINDS),
    status: p.enum(ASSET_STATUSES).default('pending'),
    objectKey: p.string().length(512).unique(),
    contentType: p.string().length(128).nullable(),
    sizeBytes: p.bigint('number').nullable(),
    sha256: p.string().length(64).nullable(),
    jobId: p.uuid().nullable().index(),
    createdAt: createdNow(),
    storedAt: p.datetime().nullable(),
    deleteAt: p.datetime().nullable().index(),
    deletedAt: p.datetime().nullable(),
    deletionReason: p.enum(DELETION_REASONS).nullable(),
    /** S-MOD: the classifier's verdict (images, generated videos) or a person's; null when not looked at. */
    moderation: p.enum(ASSET_MODERATION).nullable(),
    /** The classifier's highest score per class, how many frames, which model and thresholds. */
    moderationScores: p
      .json<{ scores: ImageScores; frames: number; classifier: string; thresholds: string }>()
      .nullable(),
    /** S-TAKEDOWN: the take-down that removed it, from every view. */
    takedownId: p.uuid().nullable(),
  },
});
export type Asset = InferEntity<typeof Asset>;
