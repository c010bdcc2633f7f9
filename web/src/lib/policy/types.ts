// The policy API's shapes (`GET /api/privacy/policy`, acceptance) as the site uses them,
// until their contract lands in domain/contracts/policy.ts: then this file becomes one
// `export type { ... } from` line.

export interface PolicyVersionView {
  version: string;
  publishedAt: string;
  material: boolean;
  requiresConsent: boolean;
  summary: string;
}

/** `GET /api/privacy/policy`. */
export interface PolicyInfo {
  current: string | null;
  versions: PolicyVersionView[];
  acceptanceRequired: boolean;
}

export interface PolicyAccepted {
  status: string;
  version: string;
  acceptedAt: string;
}
