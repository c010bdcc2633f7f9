// Sign in with Google: OpenID Connect authorization code flow with PKCE, state and
// nonce, through openid-client. The issuer is configurable (tests run a real OpenID
// provider on loopback). A first Google sign-in still passes the age gate: nothing is
// stored until the date of birth is given (D-MINOR).
import type { Request, Response } from 'express';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { ageBand } from '../../domain/accounts.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { User } from '../../db/entities/index.ts';
import { STARTING_GRANT_CREDITS } from '../../domain/credits.ts';
import { grantStartingCredits } from '../../db/ledger.ts';
import { recordAudit } from '../../platform/audit.ts';
import { seal, unseal } from '../../platform/crypto.ts';
import { emails } from '../../platform/emails.ts';
import { sendAccountMail } from '../accountMail.ts';
import {
  createSession,
  baseCookieOptions,
  cookieNames,
  isSecureDeployment,
  setSessionCookie,
} from '../auth/sessions.ts';
import { issueToken } from '../auth/tokens.ts';
import type { ApiDeps } from '../deps.ts';
import { AppError, badRequest } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { emailSchema } from './auth.ts';
import { userView, userViewSchema } from './views.ts';

const FLOW_TTL_MS = 10 * 60 * 1000;
const PENDING_TTL_MS = 15 * 60 * 1000;
const FLOW_PURPOSE = 'oidc-flow';
const PENDING_PURPOSE = 'oidc-pending-signup';

interface Flow {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
  exp: number;
}
interface PendingSignUp {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  exp: number;
}

/** Only paths on our own site may be returned to. */
const safeReturnTo = (value: unknown) =>
  typeof value === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(value) ? value : '/';

export function googleRoutes(deps: ApiDeps) {
  const google = deps.config.google;
  const secret = deps.config.sessionSecret;
  const secure = isSecureDeployment(deps);
  const names = cookieNames(secure);
  const site = deps.config.web.publicUrl;
  const redirectUri = `${deps.config.api.publicUrl}/api/auth/google/callback`;
  let discovered: Promise<oidc.Configuration> | undefined;

  function configuration(): Promise<oidc.Configuration> {
    if (!google) throw new AppError(404, 'not_found', 'Google sign-in is not offered here.');
    discovered ??= oidc
      .discovery(new URL(google.issuer), google.clientId, google.clientSecret, undefined, {
        // Plain HTTP is only ever allowed for an issuer on this machine (tests, development).
        execute:
          new URL(google.issuer).protocol === 'http:' && deps.config.env !== 'production'
            ? [oidc.allowInsecureRequests]
            : [],
        timeout: 5,
      })
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  }

  const setSealed = (res: Response, name: string, purpose: string, value: object) =>
    res.cookie(name, seal(secret, purpose, JSON.stringify(value)), baseCookieOptions(secure));
  function readSealed<T extends { exp: number }>(req: Request, name: string, purpose: string): T | undefined {
    const raw: unknown = req.cookies?.[name];
    if (typeof raw !== 'string') return undefined;
    try {
      const value = JSON.parse(unseal(secret, purpose, raw)) as T;
      return value.exp > Date.now() ? value : undefined;
    } catch {
      return undefined;
    }
  }
  const pendingCookie = `${names.oidc}_signup`;
  const fail = (res: Response, code: string) => res.redirect(303, `${site}/sign-in?error=${code}`);

  async function signInAs(req: Request, res: Response, user: User, returnTo: string) {
    const em = deps.orm.em.fork();
    const { token, session } = await createSession(em, user, req);
    setSessionCookie(deps, res, token);
    await recordAudit(em, {
      action: 'auth.sign_in',
      actorId: user.id,
      actorRole: user.role,
      subjectUserId: user.id,
      details: { method: 'google', sessionId: session.id },
    });
    res.redirect(303, `${site}${returnTo}`);
  }

  return [
    defineRoute({
      method: 'get',
      path: '/api/auth/providers',
      summary: 'Which sign-in methods this deployment offers',
      tags: ['auth'],
      access: 'public',
      response: z.object({ password: z.literal(true), google: z.boolean() }),
      handler: () => ({ password: true as const, google: Boolean(google) }),
    }),

    defineRoute({
      method: 'get',
      path: '/api/auth/google/start',
      summary: 'Start Sign in with Google (redirects to the provider)',
      tags: ['auth'],
      access: 'public',
      rateLimit: 'signIn',
      query: z.object({ returnTo: z.string().max(300).optional() }),
      handler: async ({ query, res }) => {
        const config = await configuration();
        const flow: Flow = {
          verifier: oidc.randomPKCECodeVerifier(),
          state: oidc.randomState(),
          nonce: oidc.randomNonce(),
          returnTo: safeReturnTo(query.returnTo),
          exp: Date.now() + FLOW_TTL_MS,
        };
        setSealed(res, names.oidc, FLOW_PURPOSE, flow);
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid email profile',
          code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
          code_challenge_method: 'S256',
          state: flow.state,
          nonce: flow.nonce,
        });
        res.redirect(303, url.href);
        return undefined;
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/auth/google/callback',
      summary:
        'Where the provider returns; signs in, links, or starts a sign-up that still needs the age gate',
      tags: ['auth'],
      access: 'public',
      rateLimit: 'signIn',
      handler: async ({ req, res }) => {
        const flow = readSealed<Flow>(req, names.oidc, FLOW_PURPOSE);
        res.clearCookie(names.oidc, baseCookieOptions(secure));
        if (!flow) return fail(res, 'google_expired');
        const config = await configuration();
        let claims: { sub?: string; email?: unknown; email_verified?: unknown; name?: unknown } | undefined;
        try {
          const current = new URL(`${redirectUri}${req.url.slice(req.url.indexOf('?'))}`);
          const tokens = await oidc.authorizationCodeGrant(config, current, {
            pkceCodeVerifier: flow.verifier,
            expectedState: flow.state,
            expectedNonce: flow.nonce,
            idTokenExpected: true,
          });
          claims = tokens.claims();
          // Google puts the address in the ID token; a provider that keeps it in userinfo is asked there.
          if (claims && typeof claims.email !== 'string') {
            claims = { ...claims, ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub!)) };
          }
        } catch (err) {
          req.log.warn(
            { err: { name: (err as Error).name, code: (err as { code?: string }).code } },
            'google sign-in refused',
          );
          return fail(res, 'google_failed');
        }
        if (!claims?.sub || typeof claims.email !== 'string') return fail(res, 'google_no_email');
        const email = claims.email.trim().toLowerCase();
        const emailVerified = claims.email_verified === true;
        const em = deps.orm.em.fork();
        const bySubject = await em.findOne(User, {
          googleSubject: claims.sub,
          status: { $nin: ['deleted', 'suspended_minor'] },
        });
        if (bySubject) return signInAs(req, res, bySubject, flow.returnTo);
        const byEmail = await em.findOne(User, { email });
        if (byEmail) {
          // Link only when both sides proved the address; otherwise someone could take over an account.
          if (
            !emailVerified ||
            !byEmail.emailVerifiedAt ||
            byEmail.googleSubject ||
            byEmail.status === 'deleted'
          ) {
            return fail(res, 'google_email_in_use');
          }
          byEmail.googleSubject = claims.sub;
          await em.flush();
          await recordAudit(em, {
            action: 'account.google_linked',
            actorId: byEmail.id,
            subjectUserId: byEmail.id,
          });
          return signInAs(req, res, byEmail, flow.returnTo);
        }
        const pending: PendingSignUp = {
          sub: claims.sub,
          email,
          emailVerified,
          name: typeof claims.name === 'string' ? claims.name.slice(0, 200) : email.split('@')[0]!,
          exp: Date.now() + PENDING_TTL_MS,
        };
        setSealed(res, pendingCookie, PENDING_PURPOSE, pending);
        res.redirect(303, `${site}/sign-up/google`);
        return undefined;
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/auth/google/complete',
      summary: 'Finish a first Google sign-in: the age gate, then the account',
      tags: ['auth'],
      access: 'public',
      rateLimit: 'signUp',
      body: z.object({
        dateOfBirth: z.iso.date({ message: 'Enter your date of birth as YYYY-MM-DD.' }),
        parentEmail: emailSchema.optional(),
        acceptPolicyVersion: z.literal(POLICY_VERSION, {
          message: 'Please accept the current privacy policy.',
        }),
      }),
      response: z.object({ user: userViewSchema, csrfToken: z.string() }),
      handler: async ({ body, req, res }) => {
        const pending = readSealed<PendingSignUp>(req, pendingCookie, PENDING_PURPOSE);
        if (!pending) throw new AppError(400, 'google_expired', 'Your Google sign-in expired. Start again.');
        const band = ageBand(body.dateOfBirth, new Date());
        if (band === 'under_minimum') {
          res.clearCookie(pendingCookie, baseCookieOptions(secure));
          throw new AppError(403, 'age_requirement', 'You must be at least 13 years old to use Clipwise.');
        }
        if (band === 'minor' && (!body.parentEmail || body.parentEmail === pending.email)) {
          throw badRequest('Users under 18 need a parent or guardian to confirm.', [
            { field: 'parentEmail', message: "Enter your parent or guardian's email address." },
          ]);
        }
        const em = deps.orm.em.fork();
        if (await em.findOne(User, { $or: [{ email: pending.email }, { googleSubject: pending.sub }] })) {
          throw new AppError(
            409,
            'google_email_in_use',
            'An account already uses this Google address. Sign in instead.',
          );
        }
        const user = em.create(User, {
          email: pending.email,
          name: pending.name,
          googleSubject: pending.sub,
          emailVerifiedAt: pending.emailVerified ? new Date() : null,
          dateOfBirth: body.dateOfBirth,
          role: 'creator',
          status: band === 'minor' ? 'awaiting_parental_consent' : 'active',
          parentEmail: band === 'minor' ? body.parentEmail! : null,
          preferences: {},
          createdAt: new Date(),
          updatedAt: new Date(),
        });
        await em.flush();
        res.clearCookie(pendingCookie, baseCookieOptions(secure));
        await grantStartingCredits(em, user.id, STARTING_GRANT_CREDITS);
        await recordAudit(em, {
          action: 'account.created',
          actorId: user.id,
          subjectUserId: user.id,
          details: { band, method: 'google' },
        });
        if (band === 'minor') {
          const consentToken = await issueToken(em, user.id, 'parental_consent', body.parentEmail!);
          await sendAccountMail(
            deps,
            em,
            { userId: user.id, template: 'parental_consent' },
            emails.parentalConsent(
              body.parentEmail!,
              user.name,
              `${site}/parental-consent?token=${encodeURIComponent(consentToken)}`,
              `${site}/privacy`,
            ),
          );
        }
        const { token, session } = await createSession(em, user, req);
        setSessionCookie(deps, res, token);
        req.auth = { user, session };
        await recordAudit(em, {
          action: 'auth.sign_in',
          actorId: user.id,
          subjectUserId: user.id,
          details: { method: 'google', sessionId: session.id },
        });
        return { user: userView(user, session), csrfToken: deps.csrf.issue(req, res) };
      },
    }),
  ];
}
