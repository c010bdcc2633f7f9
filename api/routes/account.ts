// The signed-in user's own account: profile and preferences they correct themselves
// (D-RECTIFY, each change audited), password, sessions with sign-out, and MFA set-up.
import { z } from 'zod';
import { MfaRecoveryCode, Session, User } from '../../db/entities/index.ts';
import { recordAudit } from '../../platform/audit.ts';
import { emails } from '../../platform/emails.ts';
import { sendAccountMail } from '../accountMail.ts';
import { caller } from '../auth/access.ts';
import { issueRecoveryCodes, newMfaSeed, otpauthUrl, useRecoveryCode, verifyTotp } from '../auth/mfa.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { createSession, revokeAllSessions, revokeSession, setSessionCookie } from '../auth/sessions.ts';
import { issueToken, revokeTokens } from '../auth/tokens.ts';
import type { ApiDeps } from '../deps.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { emailSchema, nameSchema, passwordSchema } from './auth.ts';
import { preferencesSchema, userView, userViewSchema } from './views.ts';

const sessionView = z.object({
  id: z.uuid(),
  current: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
const codeBody = z.object({ code: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your app.') });
const idParams = z.object({ id: z.uuid() });

export function accountRoutes(deps: ApiDeps) {
  const secret = deps.config.sessionSecret;
  const site = deps.config.web.publicUrl;

  return [
    defineRoute({
      method: 'get',
      path: '/api/account',
      summary: 'My account',
      tags: ['account'],
      access: 'session',
      response: userViewSchema,
      handler: ({ req }) => userView(caller(req).user, caller(req).session),
    }),

    defineRoute({
      method: 'patch',
      path: '/api/account',
      summary: 'Correct my name or email address (D-RECTIFY); a new address must be confirmed again',
      tags: ['account'],
      access: 'signed-in',
      body: z.object({ name: nameSchema.optional(), email: emailSchema.optional() }).strict(),
      response: userViewSchema,
      handler: async ({ body, req }) => {
        const { user: me, session } = caller(req);
        const em = deps.orm.em.fork();
        const user = await em.findOneOrFail(User, { id: me.id });
        const changed: string[] = [];
        if (body.name !== undefined && body.name !== user.name) {
          user.name = body.name;
          changed.push('name');
        }
        if (body.email !== undefined && body.email !== user.email) {
          if (await em.findOne(User, { email: body.email })) {
            throw conflict('email_unavailable', 'That email address cannot be used. Try another.');
          }
          user.email = body.email;
          user.emailVerifiedAt = null;
          changed.push('email');
        }
        if (changed.length === 0) return userView(user, session);
        user.updatedAt = new Date();
        await em.flush();
        if (changed.includes('email')) {
          await revokeTokens(em, user.id, 'verify_email');
          const token = await issueToken(em, user.id, 'verify_email', user.email);
          await sendAccountMail(
            deps,
            em,
            { userId: user.id, template: 'verify_email' },
            emails.verifyEmail(
              user.email,
              user.name,
              `${site}/verify-email?token=${encodeURIComponent(token)}`,
            ),
          );
        }
        await recordAudit(em, {
          action: 'account.rectified',
          actorId: user.id,
          actorRole: user.role,
          subjectUserId: user.id,
          details: { fields: changed },
        });
        return userView(user, session);
      },
    }),

    defineRoute({
      method: 'put',
      path: '/api/account/preferences',
      summary: 'Set my language, theme and default generation settings',
      tags: ['account'],
      access: 'signed-in',
      body: preferencesSchema,
      response: userViewSchema,
      handler: async ({ body, req }) => {
        const { user: me, session } = caller(req);
        const em = deps.orm.em.fork();
        const user = await em.findOneOrFail(User, { id: me.id });
        const before = (user.preferences ?? {}) as Record<string, unknown>;
        const fields = Object.keys(body).filter(
          (k) => JSON.stringify(before[k]) !== JSON.stringify((body as Record<string, unknown>)[k]),
        );
        user.preferences = { ...before, ...body };
        user.updatedAt = new Date();
        await em.flush();
        if (fields.length) {
          await recordAudit(em, {
            action: 'account.preferences_changed',
            actorId: user.id,
            actorRole: user.role,
            subjectUserId: user.id,
            details: { fields },
          });
        }
        return userView(user, session);
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/account/password',
      summary: 'Change my password; other sessions are signed out',
      tags: ['account'],
      access: 'signed-in',
      body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema }),
      response: z.object({ status: z.string(), message: z.string() }),
      handler: async ({ body, req }) => {
        const { user: me, session } = caller(req);
        const em = deps.orm.em.fork();
        const user = await em.findOneOrFail(User, { id: me.id });
        if (!user.passwordHash || !(await verifyPassword(user.passwordHash, body.currentPassword))) {
          throw new AppError(400, 'invalid_request', 'Your current password is not right.', {
            fields: [{ field: 'currentPassword', message: 'This is not your current password.' }],
          });
        }
        user.passwordHash = await hashPassword(body.newPassword);
        user.updatedAt = new Date();
        await em.flush();
        const revoked = await revokeAllSessions(em, user.id, session.id);
        await recordAudit(em, {
          action: 'account.password_changed',
          actorId: user.id,
          actorRole: user.role,
          subjectUserId: user.id,
          details: { revokedSessions: revoked },
        });
        return { status: 'changed', message: 'Your password is changed. Other devices were signed out.' };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/account/sessions',
      summary: 'Where I am signed in',
      tags: ['account'],
      access: 'session',
      response: z.object({ sessions: z.array(sessionView) }),
      handler: async ({ req }) => {
        const { user, session: current } = caller(req);
        const sessions = await deps.orm.em
          .fork()
          .find(
            Session,
            { user: user.id, revokedAt: null, expiresAt: { $gt: new Date() } },
            { orderBy: { lastSeenAt: 'desc' } },
          );
        return {
          sessions: sessions.map((s) => ({
            id: s.id,
            current: s.id === current.id,
            createdAt: s.createdAt.toISOString(),
            lastSeenAt: s.lastSeenAt.toISOString(),
            ip: s.ip,
            userAgent: s.userAgent,
          })),
        };
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/api/account/sessions/:id',
      summary: 'Sign out one of my sessions',
      tags: ['account'],
      access: 'session',
      params: idParams,
      status: 200,
      response: z.object({ status: z.string() }),
      handler: async ({ params, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        // Object-level check: another user's session id answers exactly like an unknown one.
        const target = await em.findOne(Session, { id: params.id, user: user.id, revokedAt: null });
        if (!target) throw notFound('No such session.');
        await revokeSession(em, target.id);
        await recordAudit(em, {
          action: 'auth.session_revoked',
          actorId: user.id,
          actorRole: user.role,
          subjectUserId: user.id,
        });
        return { status: 'revoked' };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/account/mfa/setup',
      summary: 'Start setting up two-factor authentication: a new authenticator seed',
      tags: ['account'],
      access: 'signed-in',
      response: z.object({ secret: z.string(), otpauthUrl: z.string() }),
      handler: async ({ req }) => {
        const { user: me } = caller(req);
        const em = deps.orm.em.fork();
        const user = await em.findOneOrFail(User, { id: me.id });
        if (user.mfaEnabledAt)
          throw conflict(
            'mfa_enabled',
            'Two-factor authentication is already on. Turn it off first to change it.',
          );
        const { seed, sealed } = newMfaSeed(secret);
        user.mfaSecret = sealed;
        user.mfaLastTimeStep = null;
        await em.flush();
        return { secret: seed, otpauthUrl: otpauthUrl(seed, user.email) };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/account/mfa/enable',
      summary: 'Turn two-factor authentication on with a code from the new seed; returns recovery codes once',
      tags: ['account'],
      access: 'signed-in',
      rateLimit: 'mfa',
      body: codeBody,
      response: z.object({ recoveryCodes: z.array(z.string()), csrfToken: z.string() }),
      handler: async ({ body, req, res }) => {
        const { user: me, session } = caller(req);
        const em = deps.orm.em.fork();
        const user = await em.findOneOrFail(User, { id: me.id });
        if (user.mfaEnabledAt) throw conflict('mfa_enabled', 'Two-factor authentication is already on.');
        if (!user.mfaSecret) throw conflict('mfa_not_set_up', 'Start the set-up first.');
        if (!(await verifyTotp(em, secret, user, body.code))) {
          throw new AppError(
            401,
            'invalid_code',
            'That code is not right. Try the newest code from your app.',
          );
        }
        await em.nativeUpdate(User, { id: user.id }, { mfaEnabledAt: new Date() });
        const recoveryCodes = await issueRecoveryCodes(em, user.id);
        // Privilege change: rotate this session (now MFA-verified) and end the others.
        await revokeSession(em, session.id);
        await revokeAllSessions(em, user.id);
        const fresh = await em.findOneOrFail(User, { id: user.id });
        const { token, session: next } = await createSession(em, fresh, req, { mfaVerified: true });
        setSessionCookie(deps, res, token);
        req.auth = { user: fresh, session: next };
        await recordAudit(em, {
          action: 'account.mfa_enabled',
          actorId: user.id,
          actorRole: user.role,
          subjectUserId: user.id,
        });
        return { recoveryCodes, csrfToken: deps.csrf.issue(req, res) };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/account/mfa/disable',
      summary: 'Turn two-factor authentication off (staff lose staff access until it is on again)',
      tags: ['account'],
      access: 'signed-in',
      rateLimit: 'mfa',
      body: z.union([codeBody, z.object({ recoveryCode: z.string().min(8).max(64) })]),
      response: z.object({ status: z.string() }),
      handler: async ({ body, req }) => {
        const { user: me } = caller(req);
        const em = deps.orm.em.fork();
        const user = await em.findOneOrFail(User, { id: me.id });
        if (!user.mfaEnabledAt) throw conflict('mfa_not_enabled', 'Two-factor authentication is off.');
        const ok =
          'code' in body
            ? await verifyTotp(em, secret, user, body.code)
            : await useRecoveryCode(em, user.id, body.recoveryCode);
        if (!ok) throw new AppError(401, 'invalid_code', 'That code is not right.');
        await em.nativeUpdate(
          User,
          { id: user.id },
          { mfaEnabledAt: null, mfaSecret: null, mfaLastTimeStep: null },
        );
        await em.nativeUpdate(Session, { user: user.id }, { mfaVerifiedAt: null });
        await em.nativeDelete(MfaRecoveryCode, { user: user.id });
        await recordAudit(em, {
          action: 'account.mfa_disabled',
          actorId: user.id,
          actorRole: user.role,
          subjectUserId: user.id,
        });
        return { status: 'disabled' };
      },
    }),
  ];
}
