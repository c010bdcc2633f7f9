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
    /**
     * The owner's pseudonym: hashed instead of the owner's id, so the account deletion can
     * replace the id by it everywhere in the proof and the hash still holds.
     */
    ownerPseudonym: p.uuid().nullable().index(),
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
      // The one change allowed: the owner's id replaced by their pseudonym (migration 083000).
      body: "if tg_op = 'UPDATE' and old.owner_id is not null and old.owner_pseudonym is not null and new.owner_id is null and (new.id, new.asset_id, new.kind, new.reason, new.requested_at, new.deleted_at, new.object_existed, new.content_sha256, new.size_bytes, new.verified_at, new.verification, new.record_hash, new.owner_pseudonym) is not distinct from (old.id, old.asset_id, old.kind, old.reason, old.requested_at, old.deleted_at, old.object_existed, old.content_sha256, old.size_bytes, old.verified_at, old.verification, old.record_hash, old.owner_pseudonym) and new.object_key = replace(old.object_key, old.owner_id::text, old.owner_pseudonym::text) and new.dedupe_key = replace(old.dedupe_key, old.owner_id::text, old.owner_pseudonym::text) and new.requested_by is not distinct from (case when old.requested_by = old.owner_id then old.owner_pseudonym else old.requested_by end) then return new; end if; raise exception 'deletion_proofs is append-only';",
    },
  ],
});
export type DeletionProof = InferEntity<typeof DeletionProof>;
