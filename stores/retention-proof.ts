// Deletion proofs (R-PROOF): one record per deletion with a SHA-256 over its fields,
// written in the same transaction as the asset row's final state and the audit event,
// so a deletion is either fully recorded or retried. The owner is hashed by pseudonym
// (users.pseudonym) wherever their id is written, so their account's deletion can replace
// the id by it (`pseudonymiseProofs`) and the hash still holds.
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DeletionProof } from '../db/entities/index.ts';
import type { AssetKind, DeletionReason } from '../domain/retention.ts';
import {
  appendAudit,
  chainTaking,
  takenFrom,
  type AuditInput,
  type Taken,
  type TakenColumns,
} from '../platform/audit.ts';

export interface DeletionProofFields {
  dedupeKey: string;
  assetId: string | null;
  objectKey: string;
  kind: AssetKind | null;
  ownerId: string | null;
  /** The owner's pseudonym; absent on proofs written before pseudonyms existed. */
  ownerPseudonym?: string | null;
  reason: DeletionReason;
  requestedBy: string | null;
  requestedAt: Date;
  deletedAt: Date;
  objectExisted: boolean;
  contentSha256: string | null;
  sizeBytes: number | null;
  verifiedAt: Date;
  verification: string;
}

/** Fixed field order; dates as ISO instants, so what is hashed is what PostgreSQL gives back. */
export function deletionProofHash(f: DeletionProofFields): string {
  const fields = [
    f.dedupeKey,
    f.assetId,
    f.objectKey,
    f.kind,
    f.ownerPseudonym ?? f.ownerId,
    f.reason,
    f.requestedBy,
    f.requestedAt.toISOString(),
    f.deletedAt.toISOString(),
    f.objectExisted,
    f.contentSha256,
    f.sizeBytes,
    f.verifiedAt.toISOString(),
    f.verification,
  ];
  let text = JSON.stringify(fields);
  if (f.ownerId && f.ownerPseudonym) text = text.replaceAll(f.ownerId, f.ownerPseudonym);
  return createHash('sha256').update(text).digest('hex');
}

/** True when a stored proof still hashes to its recorded hash. */
export function verifyDeletionProof(proof: DeletionProof): boolean {
  const fields: DeletionProofFields = {
    dedupeKey: proof.dedupeKey,
    assetId: proof.assetId ?? null,
    objectKey: proof.objectKey,
    kind: proof.kind ?? null,
    ownerId: proof.ownerId ?? null,
    ownerPseudonym: proof.ownerPseudonym ?? null,
    reason: proof.reason,
    requestedBy: proof.requestedBy ?? null,
    requestedAt: proof.requestedAt,
    deletedAt: proof.deletedAt,
    objectExisted: proof.objectExisted,
    contentSha256: proof.contentSha256 ?? null,
    sizeBytes: proof.sizeBytes ?? null,
    verifiedAt: proof.verifiedAt,
    verification: proof.verification,
  };
  return deletionProofHash(fields) === proof.recordHash;
}

export const assetDedupeKey = (assetId: string) => `asset:${assetId}`;
export const orphanDedupeKey = (sweepId: string, objectKey: string) => `orphan:${sweepId}:${objectKey}`;

/** Millisecond precision, as PostgreSQL will return it. */
const ms = (d: Date) => new Date(d.getTime());

/**
 * Writes the proof, marks the asset row deleted (when there is one) and appends the
 * audit event. Idempotent by the proof's dedupe key: a second call writes nothing and
 * returns the first proof's id. The owner's pseudonym is looked up here unless the caller
 * already has it (`ownerPseudonym` given, null for none).
 */
export async function recordDeletion(
  em: EntityManager,
  input: Omit<DeletionProofFields, 'requestedAt' | 'deletedAt' | 'verifiedAt'> & {
    requestedAt: Date;
    deletedAt: Date;
    verifiedAt: Date;
  },
  audit: Omit<AuditInput, 'details'> & { details?: Record<string, unknown> },
): Promise<{ proofId: string; created: boolean }> {
  return em.fork().transactional(async (tx) => {
    const fields: DeletionProofFields = {
      ...input,
      ownerPseudonym: await pseudonymFor(tx, input),
      requestedAt: ms(input.requestedAt),
      deletedAt: ms(input.deletedAt),
      verifiedAt: ms(input.verifiedAt),
    };
    const { created, taken } = await insertProof(tx, fields, audit);
    if (created) {
      await appendAudit(tx, { ...audit, details: { ...audit.details, proofId: created } }, taken);
      return { proofId: created, created: true };
    }
    const [existing] = await tx.execute<{ id: string }[]>(
      'select id from deletion_proofs where dedupe_key = ?',
      [fields.dedupeKey],
    );
    return { proofId: existing!.id, created: false };
  });
}

async function pseudonymFor(
  tx: EntityManager,
  input: Pick<DeletionProofFields, 'ownerId' | 'ownerPseudonym'>,
): Promise<string | null> {
  if (input.ownerPseudonym !== undefined || !input.ownerId) return input.ownerPseudonym ?? null;
  const [owner] = await tx.execute<{ pseudonym: string }[]>('select pseudonym from users where id = ?', [
    input.ownerId,
  ]);
  return owner?.pseudonym ?? null;
}

/**
 * Inserts the proof unless its dedupe key is taken, and in the same statement marks the
 * asset row deleted (an orphan has none) and takes the audit chain the deletion's event
 * goes to (`chainTaking`): one round trip where there were three. The asset's update runs
 * either way (PostgreSQL runs every data-modifying part of a `with`), as the separate
 * update did. Answers the new proof's id, or undefined when one was already there (the
 * chain, taken for nothing then, is let go at the commit).
 */
async function insertProof(
  tx: EntityManager,
  fields: DeletionProofFields,
  audit: Omit<AuditInput, 'details'>,
): Promise<{ created: string | undefined; taken: Taken }> {
  const marksAsset = fields.assetId !== null && fields.reason !== 'orphan';
  const taking = chainTaking(audit);
  const [row] = await tx.execute<({ id: string | null } & TakenColumns)[]>(
    `with proof as (
       insert into deletion_proofs (id, dedupe_key, asset_id, object_key, kind, owner_id, owner_pseudonym, reason, requested_by,
         requested_at, deleted_at, object_existed, content_sha256, size_bytes, verified_at, verification, record_hash)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (dedupe_key) do nothing returning id),
     marked as (
       update assets set status = 'deleted', deleted_at = ?, deletion_reason = ?
        where ? and id = ? and status <> 'deleted' returning id)
     select (select id from proof) as id, ${taking.columns}`,
    [
      fields.dedupeKey,
      fields.assetId,
      fields.objectKey,
      fields.kind,
      fields.ownerId,
      fields.ownerPseudonym,
      fields.reason,
      fields.requestedBy,
      fields.requestedAt,
      fields.deletedAt,
      fields.objectExisted,
      fields.contentSha256,
      fields.sizeBytes,
      fields.verifiedAt,
      fields.verification,
      deletionProofHash(fields),
      fields.deletedAt,
      fields.reason,
      marksAsset,
      fields.assetId,
      ...taking.params,
    ],
  );
  return { created: row?.id ?? undefined, taken: takenFrom(row) };
}

/**
 * Replaces an owner's id by their pseudonym in their proofs (owner, object key, dedupe
 * key, requested by): the one change the trigger allows, and the hashes still hold.
 * Proofs written before pseudonyms existed cannot change and keep the id.
 */
export async function pseudonymiseProofs(tx: EntityManager, userId: string): Promise<number> {
  const changed = await tx.execute<{ id: string }[]>(
    `update deletion_proofs set owner_id = null,
            object_key = replace(object_key, owner_id::text, owner_pseudonym::text),
            dedupe_key = replace(dedupe_key, owner_id::text, owner_pseudonym::text),
            requested_by = case when requested_by = owner_id then owner_pseudonym else requested_by end
      where owner_id = ? and owner_pseudonym is not null returning id`,
    [userId],
  );
  return changed.length;
}
