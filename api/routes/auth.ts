// Sign-up with the age gate (D-MINOR), email verification, sign-in with progressive
// lock-out, sign-out (here or everywhere), password reset, parental consent and the MFA
// step for staff. No answer reveals whether an email address is registered.
import { z } from 'zod';
import {
  EMAIL_MAX_LENGTH,
  NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  ageBand,
  isStaff,
} from '../../domain/accounts.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { User, type Session } from '../../db/entities/index.ts';
import { STARTING_GRANT_CREDITS } from '../../domain/credits.ts';
import { grantStartingCredits } from '../../db/ledger.ts';
import { recordAudit } from '../../platform/audit.ts';
import { emails } from '../../platform/emails.ts';
import { sendAccountMail } from '../accountMail.ts';
import { caller } from '../auth/access.ts';
import { clearFailures, emailKey, lockedForMs, recordFailure } from '../auth/lockout.ts';
import { useRecoveryCode, verifyTotp } from '../auth/mfa.ts';
import { hashPassword, verifyAgainstNothing, verifyPassword } from '../auth/passwords.ts';
import {
  clearSessionCookie,
  createSession,
  revokeAllSessions,
  revokeSession,
  setSessionCookie,
} from '../auth/sessions.ts';
import { consumeToken, issueToken, revokeTokens } from '../auth/tokens.ts';
import { AppError, badRequest } from '../errors.ts';
import { defineRoute } from '../route.ts';
import type { ApiDeps } from '../deps.ts';
import { userView, userViewSchema } from './views.ts';

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX_LENGTH)
  .pipe(z.email({ message: 'Enter a valid email address.' }));
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);
export const nameSchema = z.string().trim().min(1, 'Enter your name.').max(NAME_MAX_LENGTH);
const tokenSchema = z.string().min(16).max(200);
const dateOfBirthSchema = z.iso
  .date({ message: 'Enter your date of birth as YYYY-MM-DD.' })
  .refine((d) => new Date(`${d}T00:00:00Z`).getTime() < Date.now(), 'The date of birth must be in the past.');

const accepted = z.object({ status: z.string(), message: z.string() });
const sessionAnswer = z.object({ user: userViewSchema.nullable(), csrfToken: z.string() });

export function authRoutes(deps: ApiDeps) {
  const site = deps.config.web.publicUrl;
  const link = (path: string, token: string) => `${site}${path}?token=${encodeURIComponent(token)}`;
  const secret = deps.config.sessionSecret;

  /** Signs a user in: a new session (rotation), its cookie, and a CSRF token bound to it. */
  async function startSession(
    req: Parameters<typeof deps.csrf.issue>[0],
    res: Parameters<typeof deps.csrf.issue>[1],
    user: User,
    options: { mfaVerified?: boolean; replacing?: Session } = {},
  ) {
    const em = deps.orm.em.fork();
    if (options.replacing) await revokeSession(em, options.replacing.id);
    const { token, session } = await createSession(em, user, req, options);
    setSessionCookie(deps, res, token);
    req.auth = { user, session };
    return { user: userView(user, session), csrfToken: deps.csrf.issue(req, res) };
  }

  return [
    defineRoute({
      method: 'get',
      path: '/api/auth/session',
      summary: 'Who is signed in (null when nobody), with a CSRF token for the next change',
      tags: ['auth'],
      access: 'public',
      response: sessionAnswer,
      handler: ({ req, res }) => ({
        user: req.auth ? userView(req.auth.user, req.auth.session) : null,
        csrfToken: deps.csrf.issue(req, res),
      }),
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/sign-up',
      summary: 'Create an account (age gate: under 13 refused, 13 to 17 need a parent to confirm)',
      tags: ['auth'],
      access: 'public',
      rateLimit: 'signUp',
      status: 202,
      body: z.object({
        name: nameSchema,
        email: emailSchema,
        password: passwordSchema,
        dateOfBirth: dateOfBirthSchema,
        parentEmail: emailSchema.optional(),
        acceptPolicyVersion: z.literal(POLICY_VERSION, {
          message: 'Please accept the current privacy policy.',
        }),
      }),
      response: accepted,
      handler: async ({ body }) => {
        const band = ageBand(body.dateOfBirth, new Date());
        if (band === 'under_minimum') {
          // D-MINOR: refused before anything is written, not even a log line naming them.
          throw new AppError(403, 'age_requirement', 'You must be at least 13 years old to use Clipwise.');
        }
        if (band === 'minor' && !body.parentEmail) {
          throw badRequest('Users under 18 need a parent or guardian to confirm.', [
            { field: 'parentEmail', message: "Enter your parent or guardian's email address." },
          ]);
        }
        if (band === 'minor' && body.parentEmail === body.email) {
          throw badRequest("Your parent's email address must be different from yours.", [
            { field: 'parentEmail', message: 'Use a different address from your own.' },
          ]);
        }
        const answer =
          band === 'minor'
            ? {
                status: 'awaiting_parental_consent',
                message:
                  'Check your email to confirm your address. We also emailed your parent or guardian to confirm your account.',
              }
            : {
                status: 'verification_sent',
                message: 'Check your email to confirm your address, then sign in.',
              };
        const em = deps.orm.em.fork();
        const passwordHash = await hashPassword(body.password);
        const existing = await em.findOne(User, { email: body.email });
        if (existing) {
          // Same answer as a new sign-up; the owner of the address learns of the attempt.
          await sendAccountMail(
            deps,
            em,
            { userId: existing.id, template: 'already_registered' },
            emails.alreadyRegistered(body.email, `${site}/sign-in`),
          );
          return answer;
        }
        const user = em.create(User, {
          email: body.email,
          name: body.name,
          passwordHash,
          dateOfBirth: body.dateOfBirth,
          role: 'creator',
          status: band === 'minor' ? 'awaiting_parental_consent' : 'active',
          parentEmail: band === 'minor' ? body.parentEmail! : null,
          preferences: {},
          createdAt: new Date(),
          updatedAt: new Date(),
        });
        await em.flush();
        await grantStartingCredits(em, user.id, STARTING_GRANT_CREDITS);
        await recordAudit(em, {
          action: 'account.created',
          actorId: user.id,
          subjectUserId: user.id,
          details: { band },
        });
        const verifyToken = await issueToken(em, user.id, 'verify_email', user.email);
        await sendAccountMail(
          deps,
          em,
          { userId: user.id, template: 'verify_email' },
          emails.verifyEmail(user.email, user.name, link('/verify-email', verifyToken)),
        );
        if (band === 'minor') {
          const consentToken = await issueToken(em, user.id, 'parental_consent', body.parentEmail!);
          await sendAccountMail(
            deps,
            em,
            { userId: user.id, template: 'parental_consent' },
            emails.parentalConsent(
              body.parentEmail!,
              user.name,
              link('/parental-consent', consentToken),
              `${site}/privacy`,
            ),
          );
        }
        return answer;
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/verify-email',
      summary: 'Confirm an email address with the emailed token',
      tags: ['auth'],
      access: 'public',
      rateLimit: 'verification',
      body: z.object({ token: tokenSchema }),
      response: accepted,
      handler: async ({ body }) => {
        const em = deps.orm.em.fork();
        const userId = await consumeToken(em, body.token, 'verify_email');
        if (!userId)
          throw new AppError(400, 'invalid_token', 'This link is invalid or has expired. Ask for a new one.');
        await em.nativeUpdate(User, { id: userId, emailVerifiedAt: null }, { emailVerifiedAt: new Date() });
        await recordAudit(em, { action: 'account.email_verified', actorId: userId, subjectUserId: userId });
        return { status: 'verified', message: 'Your email address is confirmed.' };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/resend-verification',
      summary: 'Send the verification email again',
      tags: ['auth'],
      access: 'public',
      rateLimit: 'verification',
      status: 202,
      body: z.object({ email: emailSchema }),
      response: accepted,
      handler: async ({ body }) => {
        const em = deps.orm.em.fork();
        const user = await em.findOne(User, {
          email: body.email,
          emailVerifiedAt: null,
          status: { $ne: 'deleted' },
        });
        if (user) {
          await revokeTokens(em, user.id, 'verify_email');
          const token = await issueToken(em, user.id, 'verify_email', user.email);
          await sendAccountMail(
            deps,
            em,
            { userId: user.id, template: 'verify_email' },
            emails.verifyEmail(user.email, user.name, link('/verify-email', token)),
          );
        }
        return { status: 'sent', message: 'If that address needs confirming, we sent a new link.' };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/sign-in',
      summary: 'Sign in with email and password; repeated failures lock the address for a while',
      tags: ['auth'],
      access: 'public',
      rateLimit: 'signIn',
      body: z.object({ email: emailSchema, password: z.string().min(1).max(PASSWORD_MAX_LENGTH) }),
      response: sessionAnswer,
      handler: async ({ body, req, res }) => {
        const em = deps.orm.em.fork();
        const key = emailKey(secret, body.email);
        const locked = await lockedForMs(em, key);
        const lockedError = (ms: number) =>
          new AppError(
            429,
            'sign_in_locked',
            'Too many failed attempts. Try again later or reset your password.',
            {
              headers: { 'Retry-After': String(Math.ceil(ms / 1000)) },
            },
          );
        if (locked > 0) throw lockedError(locked);
        const user = await em.findOne(User, {
          email: body.email,
          status: { $nin: ['deleted', 'suspended_minor'] },
        });
        const ok = user?.passwordHash
          ? await verifyPassword(user.passwordHash, body.password)
          : await verifyAgainstNothing(body.password);
        if (!user || !ok) {
          const { failures, lockMs } = await recordFailure(em, key);
          await recordAudit(em, {
            action: 'auth.sign_in_failed',
            subjectUserId: user?.id ?? null,
            details: { failures, locked: lockMs > 0 },
          });
          if (lockMs > 0 && user) {
            await recordAudit(em, {
              action: 'auth.sign_in_locked',
              subjectUserId: user.id,
              details: { lockMs },
            });
            await sendAccountMail(
              deps,
              em,
              { userId: user.id, template: 'sign_in_locked' },
              emails.signInLocked(user.email, Math.ceil(lockMs / 60_000), `${site}/reset-password`),
            );
          }
          if (lockMs > 0) throw lockedError(lockMs);
          throw new AppError(401, 'invalid_credentials', 'That email and password do not match.');
        }
        await clearFailures(em, key);
        const answer = await startSession(req, res, user);
        await recordAudit(em, {
          action: 'auth.sign_in',
          actorId: user.id,
          actorRole: user.role,
          subjectUserId: user.id,
          details: { method: 'password', sessionId: req.auth!.session.id },
        });
        return answer;
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/sign-out',
      summary: 'Sign out this browser',
      tags: ['auth'],
      access: 'session',
      response: accepted,
      handler: async ({ req, res }) => {
        const { user, session } = caller(req);
        const em = deps.orm.em.fork();
        await revokeSession(em, session.id);
        clearSessionCookie(deps, res);
        await recordAudit(em, {
          action: 'auth.sign_out',
          actorId: user.id,
          actorRole: user.role,
          subjectUserId: user.id,
        });
        return { status: 'signed_out', message: 'You are signed out.' };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/sign-out-everywhere',
      summary: 'Sign out every browser and device signed in to this account',
      tags: ['auth'],
      access: 'session',
      response: accepted,
      handler: async ({ req, res }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const count = await revokeAllSessions(em, user.id);
        clearSessionCookie(deps, res);
        await recordAudit(em, {
          action: 'auth.sign_out_everywhere',
          actorId: user.id,
          actorRole: user.role,
          subjectUserId: user.id,
          details: { sessions: count },
        });
        return { status: 'signed_out', message: `Signed out of ${count} session(s).` };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/password-reset/request',
      summary: 'Email a password reset link (same answer whether or not the address is registered)',
      tags: ['auth'],
      access: 'public',
      rateLimit: 'passwordReset',
      status: 202,
      body: z.object({ email: emailSchema }),
      response: accepted,
      handler: async ({ body }) => {
        const em = deps.orm.em.fork();
        const user = await em.findOne(User, {
          email: body.email,
          status: { $nin: ['deleted', 'suspended_minor'] },
        });
        if (user) {
          await revokeTokens(em, user.id, 'reset_password');
          const token = await issueToken(em, user.id, 'reset_password', user.email);
          await sendAccountMail(
            deps,
            em,
            { userId: user.id, template: 'password_reset' },
            emails.passwordReset(user.email, link('/reset-password', token)),
          );
          await recordAudit(em, { action: 'auth.password_reset_requested', subjectUserId: user.id });
        }
        return { status: 'sent', message: 'If an account uses that address, we sent it a reset link.' };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/password-reset/confirm',
      summary: 'Choose a new password with the emailed token; signs out every session',
      tags: ['auth'],
      access: 'public',
      rateLimit: 'passwordReset',
      body: z.object({ token: tokenSchema, newPassword: passwordSchema }),
      response: accepted,
      handler: async ({ body }) => {
        const em = deps.orm.em.fork();
        const resetFor = await consumeToken(em, body.token, 'reset_password');
        // A new staff member's one-time enrolment link (use-cases/staff.ts) opens this same page.
        const userId = resetFor ?? (await consumeToken(em, body.token, 'staff_enrolment'));
        if (!userId)
          throw new AppError(400, 'invalid_token', 'This link is invalid or has expired. Ask for a new one.');
        await em.nativeUpdate(
          User,
          { id: userId },
          { passwordHash: await hashPassword(body.newPassword), updatedAt: new Date() },
        );
        const user = await em.findOneOrFail(User, { id: userId });
        await clearFailures(em, emailKey(secret, user.email));
        const revoked = await revokeAllSessions(em, userId);
        await recordAudit(em, {
          action: resetFor ? 'auth.password_reset' : 'staff.enrolment_password_set',
          actorId: userId,
          subjectUserId: userId,
          details: { revokedSessions: revoked },
        });
        return { status: 'reset', message: 'Your password is changed. Sign in with the new one.' };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/parental-consent/confirm',
      summary: "A parent or guardian confirms a minor's account with the emailed token (D-MINOR)",
      tags: ['auth'],
      access: 'public',
      rateLimit: 'verification',
      body: z.object({ token: tokenSchema }),
      response: accepted,
      handler: async ({ body }) => {
        const em = deps.orm.em.fork();
        const userId = await consumeToken(em, body.token, 'parental_consent');
        if (!userId) throw new AppError(400, 'invalid_token', 'This link is invalid or has expired.');
        const updated = await em.nativeUpdate(
          User,
          { id: userId, status: 'awaiting_parental_consent' },
          { status: 'active', parentalConsentAt: new Date(), updatedAt: new Date() },
        );
        if (updated === 0) throw new AppError(409, 'not_pending', 'This account no longer needs consent.');
        await recordAudit(em, {
          action: 'account.parental_consent_given',
          subjectUserId: userId,
          details: { policyVersion: POLICY_VERSION },
        });
        return { status: 'confirmed', message: 'Thank you. The account can now be used.' };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/mfa/verify',
      summary: 'Pass two-factor authentication for this session with a TOTP code or a recovery code',
      tags: ['auth'],
      access: 'session',
      rateLimit: 'mfa',
      body: z.union([
        z.object({ code: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your app.') }),
        z.object({ recoveryCode: z.string().min(8).max(64) }),
      ]),
      response: sessionAnswer,
      handler: async ({ body, req, res }) => {
        const { user, session } = caller(req);
        if (!user.mfaEnabledAt)
          throw new AppError(409, 'mfa_not_enabled', 'Set up two-factor authentication first.');
        const em = deps.orm.em.fork();
        const ok =
          'code' in body
            ? await verifyTotp(em, secret, user, body.code)
            : await useRecoveryCode(em, user.id, body.recoveryCode);
        if (!ok) {
          await recordAudit(em, {
            action: 'auth.mfa_failed',
            actorId: user.id,
            actorRole: user.role,
            subjectUserId: user.id,
          });
          throw new AppError(
            401,
            'invalid_code',
            'That code is not right. Try the newest code from your app.',
          );
        }
        // Privilege rises with MFA: a new session token, the old one revoked.
        const answer = await startSession(req, res, user, { mfaVerified: true, replacing: session });
        await recordAudit(em, {
          action: 'auth.mfa_verified',
          actorId: user.id,
          actorRole: user.role,
          subjectUserId: user.id,
          details: { method: 'code' in body ? 'totp' : 'recovery_code', staff: isStaff(user.role) },
        });
        return answer;
      },
    }),
  ];
}
