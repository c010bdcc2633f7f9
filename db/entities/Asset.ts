import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow, uuidKey } from './columns.ts';
import { ASSET_KINDS, ASSET_STATUSES, DELETION_REASONS } from '../../domain/retention.ts';
import { User } from './User.ts';

/** One object in storage, with the time it must be gone by. */
export const Asset = defineEntity({
  name: 'Asset',
  tableName: 'assets',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null').index(),
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
  },
});
export type Asset = InferEntity<typeof Asset>;
