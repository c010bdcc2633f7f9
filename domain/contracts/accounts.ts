// What the API takes and gives for accounts: sign-up with the age gate (D-MINOR), the
// emailed links, sign-in and the MFA step (S-MFA), sessions, the account's own settings
// (D-RECTIFY), Sign in with Google, and staff's search and role changes (S-RBAC). One
// schema for the API's validation and OpenAPI document, and the site's types (`z.infer`).
import { z } from 'zod';
import {
  ACCOUNT_STATUSES,
  EMAIL_MAX_LENGTH,
  LANGUAGES,
  NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  ROLES,
  STAFF_USER_SEARCH_LIMIT,
  STAFF_USER_SEARCH_MAX_LIMIT,
  THEMES,
} from '../accounts.ts';
import { POLICY_VERSION } from '../retention-policy.ts';

export { LANGUAGES, THEMES, type Language, type Theme } from '../accounts.ts';

// ---------------------------------------------------------------- fields

export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX_LENGTH)
  .pipe(z.email({ message: 'Enter a valid email address.' }))
  .meta({ format: 'email' });
export const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);
export const name = z.string().trim().min(1, 'Enter your name.').max(NAME_MAX_LENGTH);
const token = z.string().min(16).max(200);
const dateOfBirthFormat = z.iso.date({ message: 'Enter your date of birth as YYYY-MM-DD.' });
/**
 * Only the current version is accepted (a form that was not ticked sends '', refused with this
 * message); a literal, so the document names the version a client must send.
 */
const acceptPolicyVersion = z.literal(POLICY_VERSION, { error: 'Please accept the current privacy policy.' });
const totpCode = z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your app.');
const recoveryCode = z.string().min(8).max(64);
const staffReason = z.string().trim().min(3).max(500);

// ---------------------------------------------------------------- what an account looks like

export const generationDefaults = z
  .object({
    model: z.string().max(64).optional(),
    durationSeconds: z.number().int().positive().max(60).optional(),
    aspectRatio: z.string().max(16).optional(),
    resolution: z.string().max(16).optional(),
  })
  .strict();
export type GenerationDefaults = z.infer<typeof generationDefaults>;

export const preferences = z
  .object({
    language: z.enum(LANGUAGES).optional(),
    theme: z.enum(THEMES).optional(),
    generationDefaults: generationDefaults.optional(),
  })
  .strict();
export type Preferences = z.infer<typeof preferences>;

/** An account as its owner (or staff) sees it: never hashes, seeds or internal flags. */
export const userView = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  role: z.enum(ROLES),
  status: z.enum(ACCOUNT_STATUSES),
  mfaEnabled: z.boolean(),
  /** This session passed two-factor authentication. */
  mfaVerified: z.boolean(),
  restricted: z.boolean(),
  preferences,
  createdAt: z.string(),
});
export type User = z.infer<typeof userView>;

/** `GET /api/auth/session`, and the answer of sign-in and MFA: who, plus a CSRF token for the next change. */
export const sessionAnswer = z.object({ user: userView.nullable(), csrfToken: z.string() });
export type SessionAnswer = z.infer<typeof sessionAnswer>;

/** A new account signed in at once (a first Google sign-in). */
export const signedInAnswer = z.object({ user: userView, csrfToken: z.string() });
export type SignedInAnswer = z.infer<typeof signedInAnswer>;

/** Most state changes answer with a status word and a sentence for the user. */
export const accepted = z.object({ status: z.string(), message: z.string() });
export type Accepted = z.infer<typeof accepted>;

/** A change with nothing to say but its outcome. */
export const statusAnswer = z.object({ status: z.string() });
export type StatusAnswer = z.infer<typeof statusAnswer>;

// ---------------------------------------------------------------- joining and signing in

export const signUpBody = z
  .object({
    name,
    email,
    password,
    dateOfBirth: dateOfBirthFormat.refine(
      (d) => new Date(`${d}T00:00:00Z`).getTime() < Date.now(),
      'The date of birth must be in the past.',
    ),
    parentEmail: email.optional(),
    acceptPolicyVersion,
  })
  .meta({
    examples: [
      {
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        password: 'correct horse battery staple',
        dateOfBirth: '1990-05-17',
        acceptPolicyVersion: POLICY_VERSION,
      },
    ],
  });
export type SignUpBody = z.infer<typeof signUpBody>;

export const tokenBody = z.object({ token });
export type TokenBody = z.infer<typeof tokenBody>;

export const emailBody = z.object({ email });
export type EmailBody = z.infer<typeof emailBody>;

export const signInBody = z.object({ email, password: z.string().min(1).max(PASSWORD_MAX_LENGTH) });
export type SignInBody = z.infer<typeof signInBody>;

export const passwordResetBody = z.object({ token, newPassword: password });
export type PasswordResetBody = z.infer<typeof passwordResetBody>;

export const mfaCode = z.object({ code: totpCode });
export type MfaCode = z.infer<typeof mfaCode>;
/** A code from the authenticator app, or one of the recovery codes (each works once). */
export const mfaProof = z.union([mfaCode, z.object({ recoveryCode })]);
export type MfaProof = z.infer<typeof mfaProof>;

/** Which sign-in methods this deployment offers. */
export const providers = z.object({ password: z.literal(true), google: z.boolean() });
export type Providers = z.infer<typeof providers>;

export const googleStartQuery = z.object({ returnTo: z.string().max(300).optional() });
export type GoogleStartQuery = z.infer<typeof googleStartQuery>;

export const googleCompleteBody = z.object({
  dateOfBirth: dateOfBirthFormat,
  parentEmail: email.optional(),
  acceptPolicyVersion,
});
export type GoogleCompleteBody = z.infer<typeof googleCompleteBody>;

// ---------------------------------------------------------------- the account's own settings

export const accountChange = z.object({ name: name.optional(), email: email.optional() }).strict();
export type AccountChange = z.infer<typeof accountChange>;

export const passwordChange = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: password,
});
export type PasswordChange = z.infer<typeof passwordChange>;

export const sessionInfo = z.object({
  id: z.uuid(),
  current: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type SessionInfo = z.infer<typeof sessionInfo>;
export const sessionList = z.object({ sessions: z.array(sessionInfo) });
export type SessionList = z.infer<typeof sessionList>;

export const mfaSetup = z.object({ secret: z.string(), otpauthUrl: z.string() });
export type MfaSetup = z.infer<typeof mfaSetup>;

/** Two-factor authentication turned on: the recovery codes, shown once, and the new session's CSRF token. */
export const mfaEnabled = z.object({ recoveryCodes: z.array(z.string()), csrfToken: z.string() });
export type MfaEnabled = z.infer<typeof mfaEnabled>;

// ---------------------------------------------------------------- staff

export const idParams = z.object({ id: z.uuid() });

export const staffUserQuery = z.object({
  email: z.string().trim().toLowerCase().max(EMAIL_MAX_LENGTH).optional(),
  role: z.enum(ROLES).optional(),
  limit: z.coerce.number().int().min(1).max(STAFF_USER_SEARCH_MAX_LIMIT).default(STAFF_USER_SEARCH_LIMIT),
});
export type StaffUserQuery = z.infer<typeof staffUserQuery>;
export const userList = z.object({ users: z.array(userView) });
export type UserList = z.infer<typeof userList>;

export const roleChange = z.object({ role: z.enum(ROLES), reason: staffReason });
export type RoleChange = z.infer<typeof roleChange>;

export const auditVerification = z.object({
  ok: z.boolean(),
  events: z.number(),
  brokenAtId: z.string().optional(),
  reason: z.string().optional(),
});
export type AuditVerification = z.infer<typeof auditVerification>;
