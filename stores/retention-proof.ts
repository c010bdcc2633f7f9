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
  appendAuditEvents,
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

/** A deletion to record: its proof's fields (dates at any precision) and its audit event. */
export interface DeletionRecord {
  fields: Omit<DeletionProofFields, 'requestedAt' | 'deletedAt' | 'verifiedAt'> & {
    requestedAt: Date;
    deletedAt: Date;
    verifiedAt: Date;
  };
  audit: Omit<AuditInput, 'details'> & { details?: Record<string, unknown> };
}

export interface RecordedDeletion {
  proofId: string;
  created: boolean;
}

/**
 * Writes the proof, marks the asset row deleted (when there is one) and appends the
 * audit event. Idempotent by the proof's dedupe key: a second call writes nothing and
 * returns the first proof's id. The owner's pseudonym is looked up here unless the caller
 * already has it (`ownerPseudonym` given, null for none).
 */
export async function recordDeletion(
  em: EntityManager,
  input: DeletionRecord['fields'],
  audit: DeletionRecord['audit'],
): Promise<RecordedDeletion> {
  return em.fork().transactional(async (tx) => {
    const [recorded] = await recordIn(tx, [
      { fields: { ...input, ownerPseudonym: await pseudonymFor(tx, input) }, audit },
    ]);
    return recorded!;
  });
}

/**
 * recordDeletion for many deletions at once, each owner's pseudonym given: one
 * transaction for all (begin, two statements, commit; one statement more if some were
 * recorded already), where each deletion alone has one of its own. If the database
 * refuses the transaction (one bad record fails the statement for all), each is then
 * written alone, so only what is wrong fails. Answers in the records' order.
 */
export async function recordDeletions(
  em: EntityManager,
  records: (DeletionRecord & { fields: { ownerPseudonym: string | null } })[],
): Promise<PromiseSettledResult<RecordedDeletion>[]> {
  try {
    const recorded = await em.fork().transactional((tx) => recordIn(tx, records));
    return recorded.map((value) => ({ status: 'fulfilled', value }));
  } catch {
    return Promise.allSettled(records.map((r) => recordDeletion(em, r.fields, r.audit)));
  }
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

/** In the caller's transaction: the proofs, their assets' rows, then their events in one chain. */
async function recordIn(tx: EntityManager, records: DeletionRecord[]): Promise<RecordedDeletion[]> {
  const fields = records.map(({ fields: f }) => ({
    ...f,
    requestedAt: ms(f.requestedAt),
    deletedAt: ms(f.deletedAt),
    verifiedAt: ms(f.verifiedAt),
  }));
  const { created, taken } = await insertProofs(
    tx,
    fields,
    records.map((r) => r.audit),
  );
  const events = records.flatMap(({ audit }, i) => {
    const proofId = created.get(fields[i]!.dedupeKey);
    return proofId ? [{ ...audit, details: { ...audit.details, proofId } }] : [];
  });
  await appendAuditEvents(tx, events, taken);
  const before = fields.filter((f) => !created.has(f.dedupeKey)).map((f) => f.dedupeKey);
  const existing = new Map<string, string>();
  if (before.length > 0) {
    const rows = await tx.execute<{ id: string; dedupe_key: string }[]>(
      'select id, dedupe_key from deletion_proofs where dedupe_key in (?)',
      [before],
    );
    for (const row of rows) existing.set(row.dedupe_key, row.id);
  }
  return fields.map((f) => {
    const proofId = created.get(f.dedupeKey);
    return proofId ? { proofId, created: true } : { proofId: existing.get(f.dedupeKey)!, created: false };
  });
}

const PROOF_ROW = `(gen_random_uuid(), ${Array.from({ length: 16 }, () => '?').join(', ')})`;
const MARK_ROW = '(?::uuid, ?::timestamptz, ?::text)';

/**
 * Inserts the proofs whose dedupe keys are free, and in the same statement marks their
 * assets' rows deleted (an orphan has none) and takes the audit chain their events go to
 * (`chainTaking`): one round trip where each deletion took three. The assets' update runs
 * either way (PostgreSQL runs every data-modifying part of a `with`), as a separate
 * update did. Answers the new proofs' ids by dedupe key (one already there has none: the
 * chain, taken for nothing then, is let go at the commit).
 */
async function insertProofs(
  tx: EntityManager,
  fields: DeletionProofFields[],
  audits: Omit<AuditInput, 'details'>[],
): Promise<{ created: Map<string, string>; taken: Taken }> {
  const marks = fields.filter((f) => f.assetId !== null && f.reason !== 'orphan');
  const taking = chainTaking(...audits);
  const [row] = await tx.execute<({ created: Record<string, string> | null } & TakenColumns)[]>(
    `with proof as (
       insert into deletion_proofs (id, dedupe_key, asset_id, object_key, kind, owner_id, owner_pseudonym, reason, requested_by,
         requested_at, deleted_at, object_existed, content_sha256, size_bytes, verified_at, verification, record_hash)
       values ${fields.map(() => PROOF_ROW).join(', ')}
       on conflict (dedupe_key) do nothing returning id, dedupe_key)
     ${
       marks.length === 0
         ? ''
         : `, marked as (
       update assets set status = 'deleted', deleted_at = m.deleted_at, deletion_reason = m.reason
         from (values ${marks.map(() => MARK_ROW).join(', ')}) as m (id, deleted_at, reason)
        where assets.id = m.id and assets.status <> 'deleted' returning assets.id)`
     }
     select (select json_object_agg(dedupe_key, id) from proof) as created, ${taking.columns}`,
    [
      ...fields.flatMap((f) => [
        f.dedupeKey,
        f.assetId,
        f.objectKey,
        f.kind,
        f.ownerId,
        f.ownerPseudonym,
        f.reason,
        f.requestedBy,
        f.requestedAt,
        f.deletedAt,
        f.objectExisted,
        f.contentSha256,
        f.sizeBytes,
        f.verifiedAt,
        f.verification,
        deletionProofHash(f),
      ]),
      ...marks.flatMap((f) => [f.assetId, f.deletedAt, f.reason]),
      ...taking.params,
    ],
  );
  return { created: new Map(Object.entries(row?.created ?? {})), taken: takenFrom(row) };
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
