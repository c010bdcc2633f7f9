// What a deletion certificate holds (api/routes/privacy.ts and legal-requests.ts answer
// it; activities/privacy/deletion.ts writes it, certificateVersion 1), as the site uses
// it, until its contract lands in domain/contracts/: then this file becomes one
// `export type { ... } from` line.
import type { DeletionOrigin, ErasureOutcome } from '../../../../domain/privacy.ts';

export interface DeletionProofEntry {
  proofId?: string;
  assetId?: string;
  kind?: string;
  reason?: string;
  deletedAt?: string | null;
  verifiedAt?: string | null;
  objectExisted?: boolean;
  sizeBytes?: number | null;
  recordHash?: string;
}

export interface RecipientEntry {
  provider?: string;
  jobId?: string;
  sentAt?: string | null;
  outcome?: ErasureOutcome | null;
  at?: string | null;
}

export interface CertificateContents {
  certificateVersion?: number;
  requestId?: string;
  subjectId?: string;
  origin?: DeletionOrigin;
  requestedAt?: string;
  verifiedAt?: string | null;
  completedAt?: string;
  promise?: { id: string; deadline: string };
  deletedObjects?: DeletionProofEntry[];
  erasedRows?: Record<string, number>;
  anonymized?: Record<string, unknown>;
  recipients?: RecipientEntry[];
  kept?: Record<string, unknown> & { why?: string };
}

/** `GET /api/privacy/requests/:id/certificate` and `GET /api/legal/requests/:id/certificate`. */
export interface CertificateView {
  id: string;
  requestId: string;
  subjectId: string;
  origin: DeletionOrigin;
  issuedAt: string;
  certificateHash: string;
  contents: CertificateContents;
}

/** `GET /api/legal/certificates`: without the contents. */
export type CertificateSummary = Omit<CertificateView, 'contents'>;
