import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { uuidKey } from './columns.ts';
import { DELETION_ORIGINS } from '../../domain/account-deletion.ts';

/**
 * The certificate an account deletion ends with (D-ERASE, R-PROOF): what was deleted or
 * anonymized, the hashes of every deletion proof, the providers' answers to the erasure
 * notices. `certificateHash` is a SHA-256 over `contents`; the table is append-only.
 * `subjectId` is the deleted account's uuid: after the erasure no row maps it to a
 * name, address or anything else about the person, so it identifies nobody.
 */
export const DeletionCertificate = defineEntity({
  name: 'DeletionCertificate',
  tableName: 'deletion_certificates',
  // The legal team's list, newest first a page at a time (one certificate per deleted account).
  indexes: [{ name: 'deletion_certificates_newest_index', properties: ['issuedAt', 'id'] }],
  properties: {
    id: uuidKey(),
    requestId: p.uuid().unique(),
    subjectId: p.uuid().index(),
    origin: p.enum(DELETION_ORIGINS),
    issuedAt: p.datetime(),
    contents: p.json<Record<string, unknown>>(),
    certificateHash: p.string().length(64),
  },
  triggers: [
    {
      name: 'deletion_certificates_no_update',
      timing: 'before',
      events: ['update', 'delete'],
      forEach: 'row',
      body: "raise exception 'deletion_certificates is append-only';",
    },
  ],
});
export type DeletionCertificate = InferEntity<typeof DeletionCertificate>;
