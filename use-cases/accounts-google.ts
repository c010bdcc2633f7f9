// Sign in with Google (OpenID Connect, platform/oidc.ts): a known Google account signs
// in; an existing account is linked only when both sides proved the address; a new one
// still passes the age gate, so nothing is stored until the date of birth is given
// (D-MINOR). Every sign-in and link is audited (S-AUDIT). What must survive the round
// trip to Google (the challenge, the pending sign-up) is handed to the API, which keeps
// it sealed in the browser's cookie.
import { User } from '../db/entities/index.ts';
import type { GoogleCompleteBody, Providers } from '../domain/contracts/accounts.ts';
import { AppError } from '../domain/errors.ts';
import { MINUTE } from '../domain/time.ts';
import { recordAudit } from '../platform/audit.ts';
import {
  authorizationRequest,
  discover,
  exchangeCode,
  type OidcChallenge,
  type OidcClaims,
} from '../platform/oidc.ts';
import { createSession, type SessionOrigin, type StartedSession } from '../stores/accounts.ts';
import { ageGate, createMember, parentNeeded, startSignedInSession } from './accounts.ts';
import { askParentalConsent } from './parental-consent.ts';
import type { UseCaseDeps } from './deps.ts';

/** How long a browser may take at Google's page, and then to give its date of birth. */
export const GOOGLE_FLOW_TTL_MS = 10 * MINUTE;
export const GOOGLE_SIGN_UP_TTL_MS = 15 * MINUTE;

/** A sign-in under way at Google: the challenge, where to go afterwards, and when it lapses. */
export interface GoogleFlow extends OidcChallenge {
  returnTo: string;
  exp: number;
}

/** A first Google sign-in waiting for the age gate. */
export interface PendingGoogleSignUp {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  exp: number;
}

export type GoogleRefusal = 'google_expired' | 'google_failed' | 'google_no_email' | 'google_email_in_use';

export type GoogleOutcome =
  | { kind: 'signed_in'; started: StartedSession; returnTo: string }
  | { kind: 'sign_up'; pending: PendingGoogleSignUp }
  | { kind: 'refused'; code: GoogleRefusal };

export const signInMethods = (deps: UseCaseDeps): Providers => ({
  password: true,
  google: Boolean(deps.config.google),
});

function google(deps: UseCaseDeps) {
  if (!deps.config.google) throw new AppError(404, 'not_found', 'Google sign-in is not offered here.');
  return deps.config.google;
}

export const googleRedirectUri = (deps: UseCaseDeps) =>
  `${deps.config.api.publicUrl}/api/auth/google/callback`;

/** Only paths on our own site may be returned to. */
const safeReturnTo = (value: unknown) =>
  typeof value === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(value) ? value : '/';

export async function startGoogleSignIn(
  deps: UseCaseDeps,
  returnTo: string | undefined,
): Promise<{ url: string; flow: GoogleFlow }> {
  const { url, challenge } = await authorizationRequest(
    google(deps),
    deps.config.env,
    googleRedirectUri(deps),
  );
  return {
    url,
    flow: { ...challenge, returnTo: safeReturnTo(returnTo), exp: Date.now() + GOOGLE_FLOW_TTL_MS },
  };
}

function signInAs(deps: UseCaseDeps, user: User, origin: SessionOrigin): Promise<StartedSession> {
  return startSignedInSession(deps.orm.em.fork(), user, origin, 'google');
}

/** The verified claims Google returned with, or why there are none. */
async function verifiedClaims(
  deps: UseCaseDeps,
  flow: GoogleFlow,
  callbackUrl: URL,
): Promise<OidcClaims | GoogleRefusal> {
  try {
    return (await exchangeCode(google(deps), deps.config.env, callbackUrl, flow)) ?? 'google_no_email';
  } catch (err) {
    deps.logger.warn(
      { err: { name: (err as Error).name, code: (err as { code?: string }).code } },
      'google sign-in refused',
    );
    return 'google_failed';
  }
}

/** Where Google returns: sign in, link an account whose address both sides proved, or start a sign-up. */
export async function finishGoogleSignIn(
  deps: UseCaseDeps,
  flow: GoogleFlow | undefined,
  callbackUrl: URL,
  origin: SessionOrigin,
): Promise<GoogleOutcome> {
  if (!flow) return { kind: 'refused', code: 'google_expired' };
  await discover(google(deps), deps.config.env);
  const claims = await verifiedClaims(deps, flow, callbackUrl);
  if (typeof claims === 'string') return { kind: 'refused', code: claims };
  if (!claims.sub || typeof claims.email !== 'string') return { kind: 'refused', code: 'google_no_email' };
  const email = claims.email.trim().toLowerCase();
  const emailVerified = claims.email_verified === true;
  const em = deps.orm.em.fork();
  const bySubject = await em.findOne(User, {
    googleSubject: claims.sub,
    status: { $nin: ['deleted', 'suspended_minor'] },
  });
  if (bySubject)
    return { kind: 'signed_in', started: await signInAs(deps, bySubject, origin), returnTo: flow.returnTo };
  const byEmail = await em.findOne(User, { email });
  if (byEmail) {
    // Link only when both sides proved the address; otherwise someone could take over an account.
    if (!emailVerified || !byEmail.emailVerifiedAt || byEmail.googleSubject || byEmail.status === 'deleted')
      return { kind: 'refused', code: 'google_email_in_use' };
    byEmail.googleSubject = claims.sub;
    await em.flush();
    await recordAudit(em, {
      action: 'account.google_linked',
      actorId: byEmail.id,
      subjectUserId: byEmail.id,
    });
    return { kind: 'signed_in', started: await signInAs(deps, byEmail, origin), returnTo: flow.returnTo };
  }
  const name = typeof claims.name === 'string' ? claims.name.slice(0, 200) : email.split('@')[0]!;
  const pending = { sub: claims.sub, email, emailVerified, name, exp: Date.now() + GOOGLE_SIGN_UP_TTL_MS };
  return { kind: 'sign_up', pending };
}

/**
 * A first Google sign-in, finished: the age gate, then the account, signed in at once.
 * Under the minimum age the pending sign-up is dropped (`dropPending`): nothing is kept.
 */
export async function completeGoogleSignUp(
  deps: UseCaseDeps,
  pending: PendingGoogleSignUp | undefined,
  body: GoogleCompleteBody,
  origin: SessionOrigin,
  dropPending: () => void,
): Promise<StartedSession> {
  if (!pending) throw new AppError(400, 'google_expired', 'Your Google sign-in expired. Start again.');
  let band: ReturnType<typeof ageGate>;
  try {
    band = ageGate(body.dateOfBirth);
  } catch (err) {
    dropPending();
    throw err;
  }
  if (band === 'minor' && (!body.parentEmail || body.parentEmail === pending.email)) throw parentNeeded();
  const em = deps.orm.em.fork();
  if (await em.findOne(User, { $or: [{ email: pending.email }, { googleSubject: pending.sub }] })) {
    throw new AppError(
      409,
      'google_email_in_use',
      'An account already uses this Google address. Sign in instead.',
    );
  }
  const account = {
    email: pending.email,
    name: pending.name,
    googleSubject: pending.sub,
    emailVerifiedAt: pending.emailVerified ? new Date() : null,
    dateOfBirth: body.dateOfBirth,
    parentEmail: body.parentEmail,
    acceptedPolicyVersion: body.acceptPolicyVersion,
  };
  const user = await createMember(em, account, { band, method: 'google' });
  dropPending();
  if (band === 'minor') await askParentalConsent(deps, em, user, body.parentEmail!);
  const started = await createSession(em, user, origin);
  await recordAudit(em, {
    action: 'auth.sign_in',
    actorId: user.id,
    subjectUserId: user.id,
    details: { method: 'google', sessionId: started.session.id },
  });
  return started;
}
