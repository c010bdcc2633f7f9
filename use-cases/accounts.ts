// Joining and getting in: sign-up with the age gate (D-MINOR: under 13 refused, 13 to 17
// need a parent to confirm), the emailed links (address confirmation, parental consent,
// password reset), sign-in with progressive lock-out, the MFA step (S-MFA) and sign-out
// here or everywhere. Every step is audited (S-AUDIT). No answer reveals whether an
// email address is registered. Starting a session hands back its token; the API puts it
// in the browser's cookie.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Consent, User, type Session } from '../db/entities/index.ts';
import { ageBand, isStaff, type AgeBand } from '../domain/accounts.ts';
import type {
  Accepted,
  MfaProof,
  PasswordResetBody,
  SignInBody,
  SignUpBody,
  User as UserView,
} from '../domain/contracts/accounts.ts';
import { preferences } from '../domain/contracts/accounts.ts';
import { AppError, badRequest } from '../domain/errors.ts';
import { recordAudit } from '../platform/audit.ts';
import { emails } from '../platform/emails.ts';
import { hashPassword, verifyAgainstNothing, verifyPassword } from '../platform/passwords.ts';
import {
  createSession,
  revokeAllSessions,
  revokeSession,
  type LiveSession,
  type SessionOrigin,
  type StartedSession,
} from '../stores/accounts.ts';
import {
  checkMfaProof,
  clearFailures,
  consumeToken,
  emailKey,
  issueToken,
  lockedForMs,
  recordFailure,
  revokeTokens,
} from '../stores/accounts-credentials.ts';
import { grantStartingCredits } from '../stores/billing.ts';
import type { UseCaseDeps } from './deps.ts';
import { invalidLink, siteLink } from './accounts-links.ts';
import { askParentalConsent } from './parental-consent.ts';
import { sendAccountMailUnseen } from './unseen-mail.ts';

/** How an account is shown to its owner and to staff: never hashes, seeds or internal flags. */
export function userView(user: User, session?: Session): UserView {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    emailVerified: user.emailVerifiedAt != null,
    role: user.role,
    status: user.status,
    mfaEnabled: user.mfaEnabledAt != null,
    mfaVerified: session?.mfaVerifiedAt != null,
    restricted: user.restrictedAt != null,
    preferences: preferences.catch({}).parse(user.preferences),
    createdAt: user.createdAt.toISOString(),
  };
}

/** The age gate (D-MINOR): refused under 13, before anything is written, not even a log line naming them. */
export function ageGate(dateOfBirth: string): Exclude<AgeBand, 'under_minimum'> {
  const band = ageBand(dateOfBirth, new Date());
  if (band === 'under_minimum')
    throw new AppError(403, 'age_requirement', 'You must be at least 13 years old to use Clipwise.');
  return band;
}

export const parentNeeded = () =>
  badRequest('Users under 18 need a parent or guardian to confirm.', [
    { field: 'parentEmail', message: "Enter your parent or guardian's email address." },
  ]);

type NewAccount = Pick<User, 'email' | 'name'> &
  Partial<Pick<User, 'passwordHash' | 'googleSubject' | 'emailVerifiedAt'>> & {
    dateOfBirth: string;
    /** Given for a minor: the parent or guardian who must confirm. */
    parentEmail?: string;
    /** D-POLICY: the privacy policy version the person accepted to sign up. */
    acceptedPolicyVersion: string;
  };

/** Creates an account (a minor's waits for the parent), grants the starting credits and audits it. */
export async function createMember(
  em: EntityManager,
  account: NewAccount,
  details: { band: Exclude<AgeBand, 'under_minimum'>; method?: 'google' },
): Promise<User> {
  const minor = details.band === 'minor';
  const { acceptedPolicyVersion, ...fields } = account;
  const now = new Date();
  const user = em.create(User, {
    ...fields,
    // D-POLICY: the version accepted, on the account and as a consent record (D-CONSENT).
    policyVersionAccepted: acceptedPolicyVersion,
    policyAcceptedAt: now,
    role: 'creator',
    status: minor ? 'awaiting_parental_consent' : 'active',
    parentEmail: minor ? account.parentEmail! : null,
    preferences: {},
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  em.create(Consent, {
    user: user.id,
    purpose: 'privacy_policy',
    granted: true,
    policyVersion: acceptedPolicyVersion,
    source: 'sign_up',
    createdAt: now,
  });
  await em.flush();
  await grantStartingCredits(em, user.id);
  await recordAudit(em, { action: 'account.created', actorId: user.id, subjectUserId: user.id, details });
  return user;
}

async function sendVerification(deps: UseCaseDeps, em: EntityManager, user: User): Promise<void> {
  const token = await issueToken(em, user.id, 'verify_email', user.email);
  await sendAccountMailUnseen(
    deps,
    em,
    { userId: user.id, template: 'verify_email' },
    emails.verifyEmail(user.email, user.name, siteLink(deps, '/verify-email', token)),
  );
}

export async function signUp(deps: UseCaseDeps, body: SignUpBody): Promise<Accepted> {
  const band = ageGate(body.dateOfBirth);
  if (band === 'minor' && !body.parentEmail) throw parentNeeded();
  if (band === 'minor' && body.parentEmail === body.email) {
    throw badRequest("Your parent's email address must be different from yours.", [
      { field: 'parentEmail', message: 'Use a different address from your own.' },
    ]);
  }
  const answer: Accepted =
    band === 'minor'
      ? {
          status: 'awaiting_parental_consent',
          message:
            'Check your email to confirm your address. We also emailed your parent or guardian to confirm your account.',
        }
      : { status: 'verification_sent', message: 'Check your email to confirm your address, then sign in.' };
  const em = deps.orm.em.fork();
  // Hashed before the look-up, so a registered address takes as long as a new one.
  const passwordHash = await hashPassword(body.password);
  const existing = await em.findOne(User, { email: body.email });
  if (existing) {
    // Same answer as a new sign-up; the owner of the address learns of the attempt.
    await sendAccountMailUnseen(
      deps,
      em,
      { userId: existing.id, template: 'already_registered' },
      emails.alreadyRegistered(body.email, siteLink(deps, '/sign-in')),
    );
    return answer;
  }
  const { name, email, dateOfBirth, parentEmail } = body;
  const user = await createMember(
    em,
    { name, email, passwordHash, dateOfBirth, parentEmail, acceptedPolicyVersion: body.acceptPolicyVersion },
    { band },
  );
  await sendVerification(deps, em, user);
  if (band === 'minor') await askParentalConsent(deps, em, user, parentEmail!);
  return answer;
}

export async function verifyEmail(deps: UseCaseDeps, token: string): Promise<Accepted> {
  const em = deps.orm.em.fork();
  const userId = await consumeToken(em, token, 'verify_email');
  if (!userId) throw invalidLink();
  await em.nativeUpdate(User, { id: userId, emailVerifiedAt: null }, { emailVerifiedAt: new Date() });
  await recordAudit(em, { action: 'account.email_verified', actorId: userId, subjectUserId: userId });
  return { status: 'verified', message: 'Your email address is confirmed.' };
}

export async function resendVerification(deps: UseCaseDeps, email: string): Promise<Accepted> {
  const em = deps.orm.em.fork();
  const user = await em.findOne(User, { email, emailVerifiedAt: null, status: { $ne: 'deleted' } });
  if (user) {
    await revokeTokens(em, user.id, 'verify_email');
    await sendVerification(deps, em, user);
  }
  return { status: 'sent', message: 'If that address needs confirming, we sent a new link.' };
}

/** Sends a fresh confirmation link after the address changed; the old links stop working. */
export async function reverifyEmail(deps: UseCaseDeps, em: EntityManager, user: User): Promise<void> {
  await revokeTokens(em, user.id, 'verify_email');
  await sendVerification(deps, em, user);
}

const lockedOut = (ms: number) =>
  new AppError(429, 'sign_in_locked', 'Too many failed attempts. Try again later or reset your password.', {
    headers: { 'Retry-After': String(Math.ceil(ms / 1000)) },
  });

/** A failed sign-in: counted, audited, and past the free attempts a lock the owner is told of. */
async function failSignIn(deps: UseCaseDeps, em: EntityManager, key: string, user: User | null) {
  const { failures, lockMs } = await recordFailure(em, key);
  await recordAudit(em, {
    action: 'auth.sign_in_failed',
    subjectUserId: user?.id ?? null,
    details: { failures, locked: lockMs > 0 },
  });
  if (lockMs > 0 && user) {
    await recordAudit(em, { action: 'auth.sign_in_locked', subjectUserId: user.id, details: { lockMs } });
    await sendAccountMailUnseen(
      deps,
      em,
      { userId: user.id, template: 'sign_in_locked' },
      emails.signInLocked(user.email, Math.ceil(lockMs / 60_000), siteLink(deps, '/reset-password')),
    );
  }
  if (lockMs > 0) return lockedOut(lockMs);
  return new AppError(401, 'invalid_credentials', 'That email and password do not match.');
}

/** Email and password; repeated failures lock the address for a while (S-RATE). */
export async function signIn(
  deps: UseCaseDeps,
  body: SignInBody,
  origin: SessionOrigin,
): Promise<StartedSession> {
  const em = deps.orm.em.fork();
  const key = emailKey(deps.config.sessionSecret, body.email);
  const locked = await lockedForMs(em, key);
  if (locked > 0) throw lockedOut(locked);
  const user = await em.findOne(User, {
    email: body.email,
    status: { $nin: ['deleted', 'suspended_minor'] },
  });
  const ok = user?.passwordHash
    ? await verifyPassword(user.passwordHash, body.password)
    : await verifyAgainstNothing(body.password);
  if (!user || !ok) throw await failSignIn(deps, em, key, user);
  await clearFailures(em, key);
  return startSignedInSession(em, user, origin, 'password');
}

/** A session for someone who proved who they are; the audit event says how. */
export async function startSignedInSession(
  em: EntityManager,
  user: User,
  origin: SessionOrigin,
  method: 'password' | 'google',
): Promise<StartedSession> {
  const started = await createSession(em, user, origin);
  await recordAudit(em, {
    action: 'auth.sign_in',
    actorId: user.id,
    actorRole: user.role,
    subjectUserId: user.id,
    details: { method, sessionId: started.session.id },
  });
  return started;
}

/** Passes two-factor authentication: privilege rises, so a new session replaces this one. */
export async function passMfa(
  deps: UseCaseDeps,
  me: LiveSession,
  proof: MfaProof,
  origin: SessionOrigin,
): Promise<StartedSession> {
  const { user, session } = me;
  if (!user.mfaEnabledAt)
    throw new AppError(409, 'mfa_not_enabled', 'Set up two-factor authentication first.');
  const em = deps.orm.em.fork();
  if (!(await checkMfaProof(em, deps.config.sessionSecret, user, proof))) {
    await recordAudit(em, {
      action: 'auth.mfa_failed',
      actorId: user.id,
      actorRole: user.role,
      subjectUserId: user.id,
    });
    throw new AppError(401, 'invalid_code', 'That code is not right. Try the newest code from your app.');
  }
  await revokeSession(em, session.id);
  const started = await createSession(em, user, origin, { mfaVerified: true });
  await recordAudit(em, {
    action: 'auth.mfa_verified',
    actorId: user.id,
    actorRole: user.role,
    subjectUserId: user.id,
    details: { method: 'code' in proof ? 'totp' : 'recovery_code', staff: isStaff(user.role) },
  });
  return started;
}

export async function signOut(deps: UseCaseDeps, me: LiveSession): Promise<Accepted> {
  const em = deps.orm.em.fork();
  await revokeSession(em, me.session.id);
  await recordAudit(em, {
    action: 'auth.sign_out',
    actorId: me.user.id,
    actorRole: me.user.role,
    subjectUserId: me.user.id,
  });
  return { status: 'signed_out', message: 'You are signed out.' };
}

export async function signOutEverywhere(deps: UseCaseDeps, me: LiveSession): Promise<Accepted> {
  const em = deps.orm.em.fork();
  const count = await revokeAllSessions(em, me.user.id);
  await recordAudit(em, {
    action: 'auth.sign_out_everywhere',
    actorId: me.user.id,
    actorRole: me.user.role,
    subjectUserId: me.user.id,
    details: { sessions: count },
  });
  return { status: 'signed_out', message: `Signed out of ${count} session(s).` };
}

/** Emails a reset link; the same answer whether or not the address is registered. */
export async function requestPasswordReset(deps: UseCaseDeps, email: string): Promise<Accepted> {
  const em = deps.orm.em.fork();
  const user = await em.findOne(User, { email, status: { $nin: ['deleted', 'suspended_minor'] } });
  if (user) {
    await revokeTokens(em, user.id, 'reset_password');
    const token = await issueToken(em, user.id, 'reset_password', user.email);
    await sendAccountMailUnseen(
      deps,
      em,
      { userId: user.id, template: 'password_reset' },
      emails.passwordReset(user.email, siteLink(deps, '/reset-password', token)),
    );
    await recordAudit(em, { action: 'auth.password_reset_requested', subjectUserId: user.id });
  }
  return { status: 'sent', message: 'If an account uses that address, we sent it a reset link.' };
}

/** A new password with the emailed token: the lock-out is lifted and every session ends. */
export async function resetPassword(deps: UseCaseDeps, body: PasswordResetBody): Promise<Accepted> {
  const em = deps.orm.em.fork();
  const resetFor = await consumeToken(em, body.token, 'reset_password');
  // A new staff member's one-time enrolment link (use-cases/staff.ts) opens this same page.
  const userId = resetFor ?? (await consumeToken(em, body.token, 'staff_enrolment'));
  if (!userId) throw invalidLink();
  await em.nativeUpdate(
    User,
    { id: userId },
    { passwordHash: await hashPassword(body.newPassword), updatedAt: new Date() },
  );
  const user = await em.findOneOrFail(User, { id: userId });
  await clearFailures(em, emailKey(deps.config.sessionSecret, user.email));
  const revoked = await revokeAllSessions(em, userId);
  await recordAudit(em, {
    action: resetFor ? 'auth.password_reset' : 'staff.enrolment_password_set',
    actorId: userId,
    subjectUserId: userId,
    details: { revokedSessions: revoked },
  });
  return { status: 'reset', message: 'Your password is changed. Sign in with the new one.' };
}
