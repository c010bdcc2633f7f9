// The shapes the API answers with, as the site uses them. They mirror the schemas the
// routes declare (api/routes/*.ts, published at GET /api/openapi.json); the vocabularies
// come from domain/ so a new role or status is a type error here until the site knows it.
import type { AccountStatus, Role } from '../../../../domain/accounts.ts';
import type { LedgerKind } from '../../../../domain/billing.ts';
import type { JobStatus } from '../../../../domain/generation.ts';
import type { AssetKind, AssetStatus } from '../../../../domain/retention.ts';

export const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export interface GenerationDefaults {
  model?: string;
  durationSeconds?: number;
  aspectRatio?: string;
  resolution?: string;
}

export interface Preferences {
  language?: Language;
  theme?: Theme;
  generationDefaults?: GenerationDefaults;
}

export interface User {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  role: Role;
  status: AccountStatus;
  mfaEnabled: boolean;
  mfaVerified: boolean;
  restricted: boolean;
  preferences: Preferences;
  createdAt: string;
}

/** `GET /api/auth/session`, and the answer of sign-in and MFA: who, plus a CSRF token for the next change. */
export interface SessionAnswer {
  user: User | null;
  csrfToken: string;
}

/** Most state changes answer with a status word and a sentence for the user. */
export interface Accepted {
  status: string;
  message: string;
}

export interface SessionInfo {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

export interface Providers {
  password: true;
  google: boolean;
}

export interface MfaSetup {
  secret: string;
  otpauthUrl: string;
}

export interface MfaEnabled {
  recoveryCodes: string[];
  csrfToken: string;
}

export interface SignUpBody {
  name: string;
  email: string;
  password: string;
  dateOfBirth: string;
  parentEmail?: string;
  acceptPolicyVersion: string;
}

export interface GoogleCompleteBody {
  dateOfBirth: string;
  parentEmail?: string;
  acceptPolicyVersion: string;
}

export type MfaProof = { code: string } | { recoveryCode: string };

// ------------------------------------------------------------ generation (api/routes/generation.ts)

/** One model this deployment offers (`GET /api/models`). */
export interface OfferedModel {
  id: string;
  label: string;
  provider: string;
  durations: number[];
  aspectRatios: string[];
  resolutions: string[];
  inputRoles: InputRole[];
  maxInputs: number;
  imageRequired: boolean;
  promptMaxLength: number;
  negativePrompt: boolean;
  seed: boolean;
  /** Whole credits per second of video, by resolution. */
  creditsPerSecond: Record<string, number>;
}

export type InputRole = 'first_frame' | 'last_frame' | 'reference';
export type RevisionKind = 'extend' | 'variation' | 'regenerate';

/** What a quote and a job are asked for. */
export interface JobRequestBody {
  modelId: string;
  prompt: string;
  negativePrompt?: string;
  durationSeconds: number;
  aspectRatio: string;
  resolution: string;
  seed?: number;
  inputs: { assetId: string; role: InputRole }[];
  fallbackAllowed: boolean;
}

export interface CreateJobBody extends JobRequestBody {
  quoteId?: string;
  parentJobId?: string;
  revisionKind?: RevisionKind;
}

/** `POST /api/quotes`. */
export interface Quote {
  quoteId: string;
  credits: number;
  expiresAt: string;
  model: { id: string; label: string; provider: string };
  /** Models the job may move to when the chosen one is down (only with `fallbackAllowed`). */
  fallbacks: { modelId: string; label: string; credits: number; difference: number }[];
}

/** A generation job as its owner sees it. */
export interface Job {
  id: string;
  status: JobStatus;
  model: { id: string; label: string; provider: string };
  fellBackFrom: string | null;
  prompt: string;
  parameters: {
    negativePrompt?: string;
    durationSeconds?: number;
    aspectRatio?: string;
    resolution?: string;
    seed?: number;
    inputs?: { assetId: string; role: InputRole }[];
    fallbackAllowed?: boolean;
  };
  credits: { quoted: number; charged: number | null };
  /** 0..1 where known. */
  progress: number | null;
  queuePosition: number | null;
  etaSeconds: number | null;
  message: string | null;
  failure: { code: string; message: string } | null;
  output: { assetId: string; deleteAt: string | null } | null;
  parentJobId: string | null;
  revisionKind: RevisionKind | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  generationSeconds: number | null;
}

export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
}

/** `GET /api/ops/jobs/:id`. */
export interface OpsJob extends Job {
  userId: string;
  temporalUiUrl: string;
}

// ------------------------------------------------------------ assets (api/routes/assets.ts)

export interface Asset {
  id: string;
  kind: AssetKind;
  status: AssetStatus;
  contentType: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  createdAt: string;
  storedAt: string | null;
  deleteAt: string | null;
  deletedAt: string | null;
  deletionReason: string | null;
  legalHold: boolean;
}

export interface AssetPage {
  assets: Asset[];
  nextCursor: string | null;
}

export interface DownloadLink {
  url: string;
  expiresAt: string;
}

/** `GET /api/ops/assets/:id`. */
export interface OpsAsset extends Asset {
  userId: string | null;
  objectKey: string;
  jobId: string | null;
  activeHolds: number;
  workflowId: string;
  workflow: {
    status: string;
    deleteAt: string;
    holds: string[];
    reason: string | null;
    deferrals: number;
    proofId: string | null;
  } | null;
  temporalUiUrl: string;
  temporalUiUserUrl: string | null;
}

// ------------------------------------------------------------ credits (api/routes/credits.ts)

export interface LedgerEntry {
  id: number;
  kind: LedgerKind;
  /** The change to the balance (negative when credits were taken). */
  amount: number;
  credits: number;
  jobId: string | null;
  note: string | null;
  createdAt: string;
}

export interface Credits {
  balance: number;
  entries: LedgerEntry[];
  nextBefore: number | null;
}

// ------------------------------------------------------------ moderation (api/routes/moderation.ts)

export interface HeldJob {
  id: string;
  prompt: string;
  model: string;
  categories: string[];
  inputCount: number;
  createdAt: string;
}

// ------------------------------------------------------------ consent (api/routes/consent.ts)

export interface ConsentChoice {
  granted: boolean;
  at: string;
  policyVersion: string;
}

export interface Consents {
  policyVersion: string;
  /** The request carried Do Not Track or Global Privacy Control. */
  doNotTrack: boolean;
  choices: { analytics: ConsentChoice | null; marketing_email: ConsentChoice | null };
}

export type AnalyticsEventType = 'page_view' | 'feature_use' | 'load_time' | 'error';
export interface AnalyticsEventBody {
  type: AnalyticsEventType;
  name: string;
  path?: string;
  valueMs?: number;
}

// ------------------------------------------------------------ billing (api/routes/billing.ts)

export interface CreditPack {
  id: string;
  credits: number;
  /** Price in the currency's smallest unit (cents). */
  amount: number;
  currency: string;
  label: string;
}

export interface PaymentView {
  id: string;
  pack: string;
  credits: number;
  amount: number;
  currency: string;
  status: 'pending' | 'paid' | 'expired';
  createdAt: string;
  paidAt: string | null;
}
