// The rights-request API's shapes (api/routes/privacy.ts, legal-requests.ts) as the site
// uses them, until their contract lands in domain/contracts/rights-request.ts: then this
// file becomes one `export type { ... } from` line. The vocabularies come from
// domain/privacy.ts, so a new request type, status or step is a type error here until the
// site has words for it.
import type {
  DeletionOrigin,
  Jurisdiction,
  PauseReason,
  RequestStatus,
  RequestType,
  StepState,
} from '../../../../domain/privacy.ts';

export interface RequestStep {
  name: string;
  state: StepState;
}

/** `GET /api/privacy/requests/:id`: a rights request as its owner sees it. */
export interface RequestView {
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
  /** The workflow's own progress; null in lists, or when it cannot answer in time. */
  progress: { steps: RequestStep[]; counts: Record<string, number> } | null;
  /** The archive of an access or portability request. */
  export: { assetId: string; status: string; deleteAt: string | null } | null;
}

/** The legal team's view: the same, with the person's account id. */
export interface LegalRequestView extends RequestView {
  userId: string | null;
}

export interface CreateRequestBody {
  type: RequestType;
  jurisdiction: Jurisdiction;
  corrections?: { name?: string; dateOfBirth?: string };
  purposes?: string[];
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
