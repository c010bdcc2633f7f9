// The accounts API's shapes (api/routes/auth.ts, account.ts, google.ts) as the site uses
// them, until their contract lands in domain/contracts/accounts.ts: then this file becomes
// one `export type { ... } from` line. The vocabularies already come from domain/.
import type { AccountStatus, Role } from '../../../../domain/accounts.ts';

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
