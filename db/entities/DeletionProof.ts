import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { uuidKey } from './columns.ts';
import { ASSET_KINDS, DELETION_REASONS } from '../../domain/retention.ts';

/**
 * The record every deletion of a stored object leaves (R-PROOF): what was deleted, whose,
 * why, when it was asked for and done, and how its absence was checked. `recordHash`
 * is a SHA-256 over the other fields, and a trigger makes the table append-only, so an
 * edited proof is detected. No foreign keys: a proof outlives the asset and the account.
 */
export const DeletionProof = defineEntity({
  name: 'DeletionProof',
  tableName: 'deletion_proofs',
  properties: {
    id: uuidKey(),
    /** One proof per deletion: `asset:<assetId>`, or `orphan:<sweepId>:<objectKey>`. */
    dedupeKey: p.string().length(600).unique(),
    assetId: p.uuid().nullable().index(),
    objectKey: p.string().length(512).index(),
    kind: p.enum(ASSET_KINDS).nullable(),
    ownerId: p.uuid().nullable().index(),
    reason: p.enum(DELETION_REASONS),
    /** Who asked (a user or staff id); null for timers and sweeps. */
    requestedBy: p.uuid().nullable(),
    requestedAt: p.datetime(),
    deletedAt: p.datetime(),
    /** Whether the store still had the object when it was deleted. */
    objectExisted: p.boolean(),
    /** The deleted bytes' SHA-256 and size, when known, naming exactly what was deleted. */
    contentSha256: p.string().length(64).nullable(),
    sizeBytes: p.bigint('number').nullable(),
    verifiedAt: p.datetime(),
    /** How the absence was checked, e.g. `HeadObject: 404 Not Found`. */
    verification: p.string().length(200),
    recordHash: p.string().length(64),
  },
  // R-PROOF: a proof is written once and never changed or removed by the application.
  // (TRUNCATE is refused too, by a statement trigger the migration adds: PostgreSQL's
  // trigger catalogue, which the schema diff reads, does not list TRUNCATE triggers.)
  triggers: [
    {
      name: 'deletion_proofs_no_update',
      timing: 'before',
      events: ['update', 'delete'],
      forEach: 'row',
      body: "raise exception 'deletion_proofs is append-only';",
    },
  ],
});
export type DeletionProof = InferEntity<typeof DeletionProof>;
