import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { uuidKey } from './columns.ts';

/** A hold on a user (all their data) or on one asset; while active, nothing it covers is deleted (R-HOLD). */
export const LegalHold = defineEntity({
  name: 'LegalHold',
  tableName: 'legal_holds',
  properties: {
    id: uuidKey(),
    userId: p.uuid().nullable().index(),
    /** The person's pseudonym, set when their account is deleted and `userId` goes. */
    subjectPseudonym: p.uuid().nullable(),
    assetId: p.uuid().nullable().index(),
    reason: p.text(),
    placedBy: p.uuid(),
    placedAt: p.datetime().onCreate(() => new Date()),
    releasedBy: p.uuid().nullable(),
    releasedAt: p.datetime().nullable(),
    releaseReason: p.text().nullable(),
  },
});
export type LegalHold = InferEntity<typeof LegalHold>;
