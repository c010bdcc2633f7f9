// The deletion certificate (D-ERASE, R-PROOF, R-ACCT-90D), stored once per request:
// every deletion proof of the person's files with its hash, the rows erased, the
// providers' answers, the subscriptions cancelled at Stripe before anything was erased
// (D-SUBSCRIPTION), and the records kept and why. Its hash is taken over its
// canonical form (domain/account-deletion.ts), so anyone can recompute it. It names the
// person by their pseudonym only. The same transaction detaches the recipients ledger,
// replaces the account id by the pseudonym in every record kept (audit events, deletion
// proofs, rights requests, legal holds), removes the account's row, which was the only
// link between the two, and finishes the step.
import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { DeletionCertificate, type RightsRequest } from '../../db/entities/index.ts';
import { KEPT_AFTER_DELETION, canonicalJson, type DeletionOrigin } from '../../domain/account-deletion.ts';
import { pseudonymiseAuditEvents, recordAudit } from '../../platform/audit.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import { pseudonymiseProofs } from '../../stores/retention-proof.ts';
import { finishStep } from '../../stores/rights-request.ts';
import { deletionAudit, loadDeletionRequest, type DeletionDeps, type DeletionIds } from './request.ts';
import type { ErasedRows } from './rows.ts';
import type { EndedSubscription } from './subscriptions.ts';

export interface CertificateInput extends DeletionIds {
  origin: DeletionOrigin;
  rows: ErasedRows;
  emailLogRows: number;
  /** What the first step cancelled at Stripe (absent for deletions started before that step). */
  subscriptions?: EndedSubscription[];
}

export function createCertificateActivities(deps: DeletionDeps) {
  return {
    async issueDeletionCertificate(
      input: CertificateInput,
    ): Promise<{ certificateId: string; certificateHash: string }> {
      const existing = await deps.orm.em.fork().findOne(DeletionCertificate, { requestId: input.requestId });
      if (existing) return { certificateId: existing.id, certificateHash: existing.certificateHash };
      const request = await loadDeletionRequest(deps.orm, input.requestId);
      const [user] = await deps.orm.em
        .fork()
        .execute<{ pseudonym: string }[]>('select pseudonym from users where id = ?', [input.userId]);
      if (!user) throw new Error('the account row is gone, yet no certificate was stored');
      const completedAt = new Date();
      const contents = await certificateContents(deps, request, input, user.pseudonym, completedAt);
      return storeCertificate(deps.orm, request, input, user.pseudonym, contents, completedAt);
    },
  };
}

const iso = (v: unknown) =>
  v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v);

/** The person's deletion proofs and erasure notices, as the certificate lists them. */
async function evidence(em: EntityManager, userId: string) {
  const proofs = await em.execute<Record<string, unknown>[]>(
    `select id as "proofId", asset_id as "assetId", kind, reason, deleted_at as "deletedAt",
            verified_at as "verifiedAt", verification, object_existed as "objectExisted",
            content_sha256 as "contentSha256", size_bytes as "sizeBytes", record_hash as "recordHash"
       from deletion_proofs where owner_id = ? order by deleted_at, id`,
    [userId],
  );
  const recipients = await em.execute<Record<string, unknown>[]>(
    `select provider, job_id as "jobId", sent_at as "sentAt", erasure_outcome as "outcome",
            erasure_completed_at as "at", erasure_detail as "detail"
       from data_recipients where user_id = ? order by sent_at, id`,
    [userId],
  );
  const [kept] = await em.execute<{ audit: number; holds: number }[]>(
    `select (select count(*)::int from audit_events where subject_user_id = ?) as audit,
            (select count(*)::int from legal_holds where user_id = ?) as holds`,
    [userId, userId],
  );
  return { proofs, recipients, kept: { audit: kept?.audit ?? 0, holds: kept?.holds ?? 0 } };
}

async function certificateContents(
  deps: { orm: MikroORM; config: Config },
  request: RightsRequest,
  input: CertificateInput,
  pseudonym: string,
  completedAt: Date,
) {
  const { proofs, recipients, kept } = await evidence(deps.orm.em.fork(), input.userId);
  return {
    certificateVersion: 2,
    requestId: request.id,
    // The pseudonym the kept records name the person by; the account id is in none of them.
    subjectId: pseudonym,
    origin: input.origin,
    requestedAt: request.createdAt.toISOString(),
    verifiedAt: request.verifiedAt?.toISOString() ?? null,
    completedAt: completedAt.toISOString(),
    // R-ACCT-90D: everything above had to be done by this time.
    promise: {
      id: 'R-ACCT-90D',
      deadline: new Date(
        request.createdAt.getTime() + deps.config.durations.retentionMs('deletedAccount'),
      ).toISOString(),
    },
    deletedObjects: proofs.map((p) => ({
      ...p,
      deletedAt: iso(p.deletedAt),
      verifiedAt: iso(p.verifiedAt),
      sizeBytes: p.sizeBytes === null ? null : Number(p.sizeBytes),
    })),
    // D-SUBSCRIPTION: cancelled at Stripe before anything was erased.
    subscriptionsCancelled: {
      beforeErasure: true,
      subscriptions: input.subscriptions ?? [],
    },
    erasedRows: { ...input.rows, emailLog: input.emailLogRows },
    anonymized: { profile: true, jobs: input.rows.jobsAnonymized },
    recipients: recipients.map((r) => ({ ...r, sentAt: iso(r.sentAt), at: iso(r.at) })),
    kept: {
      creditLedgerEntriesDetached: input.rows.ledgerEntriesDetached,
      paymentsDetached: input.rows.paymentsDetached,
      subscriptionsDetached: input.rows.subscriptionsDetached ?? 0,
      invoicesDetached: input.rows.invoicesDetached ?? 0,
      auditEvents: kept.audit,
      legalHolds: kept.holds,
      deletionProofs: proofs.length,
      why: 'Payment records (credit purchases, subscriptions and their invoices, the credit ledger) are kept 7 years for tax law without you (R-PAY-7Y). The audit log, the deletion proofs, this certificate, the record of your requests and any legal hold name you only by the pseudonym above: the account row that linked it to you is deleted. Support tickets are erased with the account, not kept.',
      // Each record kept, why, and until when (domain/account-deletion.ts).
      records: KEPT_AFTER_DELETION.map((record) => ({
        ...record,
        until: record.keepMs === null ? null : new Date(completedAt.getTime() + record.keepMs).toISOString(),
      })),
    },
  };
}

async function storeCertificate(
  orm: MikroORM,
  request: RightsRequest,
  input: CertificateInput,
  pseudonym: string,
  contents: Record<string, unknown>,
  issuedAt: Date,
): Promise<{ certificateId: string; certificateHash: string }> {
  const certificateHash = sha256Hex(canonicalJson(contents));
  const certificateId = randomUUID();
  await orm.em.fork().transactional(async (tx) => {
    await tx.execute(
      `insert into deletion_certificates (id, request_id, subject_id, origin, issued_at, contents, certificate_hash)
       values (?, ?, ?, ?, ?, ?::jsonb, ?)`,
      [
        certificateId,
        input.requestId,
        pseudonym,
        input.origin,
        issuedAt,
        JSON.stringify(contents),
        certificateHash,
      ],
    );
    await tx.execute('update data_recipients set user_id = null where user_id = ?', [input.userId]);
    await recordAudit(
      tx,
      deletionAudit(request, 'privacy.certificate_issued', { certificateId, certificateHash }),
    );
    await pseudonymiseRecords(tx, input.userId, pseudonym);
    await finishStep(tx, { id: input.requestId }, 'deletion', 'certificate');
  });
  return { certificateId, certificateHash };
}

/**
 * The account id leaves every record kept: replaced by the pseudonym where the record
 * stays (audit events and proofs only in the ways their triggers allow), then the
 * account's row goes, and with it the only link between the id and the pseudonym.
 */
async function pseudonymiseRecords(tx: EntityManager, userId: string, pseudonym: string): Promise<void> {
  await pseudonymiseAuditEvents(tx, userId);
  await pseudonymiseProofs(tx, userId);
  await tx.execute(
    `update rights_requests set subject_pseudonym = ?, user_id = null,
            workflow_id = replace(workflow_id, ?, ?)
      where user_id = ?`,
    [pseudonym, userId, pseudonym, userId],
  );
  await tx.execute(`update legal_holds set subject_pseudonym = ?, user_id = null where user_id = ?`, [
    pseudonym,
    userId,
  ]);
  await tx.execute('delete from users where id = ?', [userId]);
}
