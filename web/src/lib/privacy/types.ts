// The shapes of the privacy and legal API (api/routes/rights-request.ts, rights-request-
// legal.ts, account-deletion.ts, consent.ts, policy.ts), as the site uses them. The vocabularies come from domain/, so a
// new request type, status or step is a type error here until the site has words for it.
import type { DeletionOrigin, ErasureOutcome } from '../../../../domain/account-deletion.ts';
import type { ConsentPurpose } from '../../../../domain/consent.ts';
import type {
  Jurisdiction,
  PauseReason,
  RequestStatus,
  RequestType,
  StepState,
} from '../../../../domain/rights-request.ts';

export interface RequestStep {
  name: string;
  state: StepState;
}

/** `GET /api/privacy/requests/:id`: a rights request as its owner sees it. */
export interface PrivacyRequestView {
  id: string;
  type: RequestType;
  jurisdiction: Jurisdiction;
  status: RequestStatus;
  origin: DeletionOrigin;
  createdAt: string;
  /** When an unverified request expires. */
  expiresAt: string | null;
  verifiedAt: string | null;
  /** The deadline in force (the extended one, if any): D-CLOCK. */
  dueAt: string | null;
  originalDueAt: string | null;
  extended: boolean;
  extensionReason: string | null;
  daysLeft: number | null;
  pausedReason: PauseReason | null;
  completedAt: string | null;
  canCancel: boolean;
  workflowId: string | null;
  verification: { codeExpiresAt: string | null; attemptsLeft: number } | null;
  /** Each step and the figures of the work done, as the request's row records them. */
  progress: { steps: RequestStep[]; counts: Record<string, number> } | null;
  /** The archive of an access or portability request. */
  export: { assetId: string; status: string; deleteAt: string | null } | null;
}

/** The legal team's view: the same, with the person's account id. */
export interface LegalRequestView extends PrivacyRequestView {
  userId: string | null;
}

export interface ConsentChoice {
  granted: boolean;
  at: string;
  policyVersion: string;
}

/** `GET /api/privacy/settings` (and the answer of the restriction and objection switches). */
export interface PrivacySettings {
  restricted: boolean;
  restrictedAt: string | null;
  objections: { analytics: boolean; marketing: boolean };
  consents: Partial<Record<ConsentPurpose, ConsentChoice | null>>;
  policy: { currentVersion: string | null; acceptedVersion: string | null; acceptanceRequired: boolean };
}

export interface PolicyVersionInfo {
  version: string;
  publishedAt: string;
  material: boolean;
  requiresConsent: boolean;
  summary: string;
}

/** `GET /api/privacy/policy`. */
export interface PolicyInfo {
  current: string | null;
  versions: PolicyVersionInfo[];
  acceptanceRequired: boolean;
}

export interface NewRequestBody {
  type: RequestType;
  jurisdiction: Jurisdiction;
  corrections?: { name?: string; dateOfBirth?: string };
  purposes?: string[];
}

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

/** What a deletion certificate holds (activities/privacy/deletion.ts, certificateVersion 1). */
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
export interface DeletionCertificate {
  id: string;
  requestId: string;
  subjectId: string;
  origin: DeletionOrigin;
  issuedAt: string;
  certificateHash: string;
  contents: CertificateContents;
}

/** `GET /api/legal/certificates`: without the contents. */
export type CertificateSummary = Omit<DeletionCertificate, 'contents'>;

/** `GET /api/legal/holds`. */
export interface LegalHold {
  id: string;
  scope: 'user' | 'asset';
  userId: string | null;
  assetId: string | null;
  reason: string;
  placedBy: string;
  placedAt: string;
  active: boolean;
  releasedBy: string | null;
  releasedAt: string | null;
  releaseReason: string | null;
}

/** `GET /api/legal/requests/:id/audit`. */
export interface RequestAudit {
  requestId: string;
  exportedAt: string;
  events: Record<string, unknown>[];
}

export interface LegalRequestQuery {
  status?: string;
  type?: string;
  userId?: string;
  limit?: number;
}
