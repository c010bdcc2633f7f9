// Sign in with Google over HTTP: the redirects of the OpenID Connect flow, and the sealed
// cookies that carry its challenge and a pending sign-up across them (short-lived, and
// readable only by this server). The rules are in use-cases/accounts-google.ts: a first
// Google sign-in still passes the age gate before anything is stored (D-MINOR).
import type { Request, Response } from 'express';
import {
  googleCompleteBody,
  googleStartQuery,
  providers,
  signedInAnswer,
} from '../../domain/contracts/accounts.ts';
import { seal, unseal } from '../../platform/crypto.ts';
import {
  completeGoogleSignUp,
  finishGoogleSignIn,
  googleRedirectUri,
  signInMethods,
  startGoogleSignIn,
  type GoogleFlow,
  type PendingGoogleSignUp,
} from '../../use-cases/accounts-google.ts';
import type { ApiDeps } from '../deps.ts';
import { defineRoute } from '../route.ts';
import {
  baseCookieOptions,
  cookieNames,
  enterSession,
  isSecureDeployment,
  sessionOrigin,
  setSessionCookie,
} from '../auth/sessions.ts';

/** The two sealed cookies: the flow at Google's page, then the sign-up waiting for the age gate. */
const FLOW = { purpose: 'oidc-flow', name: (deps: ApiDeps) => cookieNames(isSecureDeployment(deps)).oidc };
const PENDING = { purpose: 'oidc-pending-signup', name: (deps: ApiDeps) => `${FLOW.name(deps)}_signup` };
type SealedCookie = typeof FLOW;

function setSealed(deps: ApiDeps, res: Response, cookie: SealedCookie, value: object): void {
  const sealed = seal(deps.config.sessionSecret, cookie.purpose, JSON.stringify(value));
  res.cookie(cookie.name(deps), sealed, baseCookieOptions(isSecureDeployment(deps)));
}

function readSealed<T extends { exp: number }>(
  deps: ApiDeps,
  req: Request,
  cookie: SealedCookie,
): T | undefined {
  const raw: unknown = req.cookies?.[cookie.name(deps)];
  if (typeof raw !== 'string') return undefined;
  try {
    const value = JSON.parse(unseal(deps.config.sessionSecret, cookie.purpose, raw)) as T;
    return value.exp > Date.now() ? value : undefined;
  } catch {
    return undefined;
  }
}

function clearSealed(deps: ApiDeps, res: Response, cookie: SealedCookie): void {
  res.clearCookie(cookie.name(deps), baseCookieOptions(isSecureDeployment(deps)));
}

/** The URL the provider sent the browser back to, as the provider built it. */
const callbackUrl = (deps: ApiDeps, req: Request) =>
  new URL(`${googleRedirectUri(deps)}${req.url.slice(req.url.indexOf('?'))}`);

export const accountsGoogleRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/auth/providers',
    summary: 'Which sign-in methods this deployment offers',
    tags: ['accounts'],
    access: 'public',
    response: providers,
    handler: ({ deps }) => signInMethods(deps),
  }),

  defineRoute({
    method: 'get',
    path: '/api/auth/google/start',
    summary: 'Start Sign in with Google (redirects to the provider)',
    tags: ['accounts'],
    status: 303,
    access: 'public',
    rateLimit: 'signIn',
    query: googleStartQuery,
    errors: [{ status: 404, code: 'not_found', when: 'Sign in with Google is not offered here' }],
    handler: async ({ deps, query, res }) => {
      const { url, flow } = await startGoogleSignIn(deps, query.returnTo);
      setSealed(deps, res, FLOW, flow);
      res.redirect(303, url);
      return undefined;
    },
  }),

  defineRoute({
    method: 'get',
    path: '/api/auth/google/callback',
    summary: 'Where the provider returns; signs in, links, or starts a sign-up that still needs the age gate',
    tags: ['accounts'],
    status: 303,
    access: 'public',
    rateLimit: 'signIn',
    handler: async ({ deps, req, res }) => {
      const flow = readSealed<GoogleFlow>(deps, req, FLOW);
      clearSealed(deps, res, FLOW);
      const site = deps.config.web.publicUrl;
      const outcome = await finishGoogleSignIn(deps, flow, callbackUrl(deps, req), sessionOrigin(req));
      if (outcome.kind === 'refused') {
        res.redirect(303, `${site}/sign-in?error=${outcome.code}`);
      } else if (outcome.kind === 'signed_in') {
        setSessionCookie(deps, res, outcome.started.token);
        res.redirect(303, `${site}${outcome.returnTo}`);
      } else {
        setSealed(deps, res, PENDING, outcome.pending);
        res.redirect(303, `${site}/sign-up/google`);
      }
      return undefined;
    },
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/google/complete',
    summary: 'Finish a first Google sign-in: the age gate, then the account',
    tags: ['accounts'],
    access: 'public',
    rateLimit: 'signUp',
    body: googleCompleteBody,
    response: signedInAnswer,
    errors: [
      { status: 400, code: 'google_expired', when: 'no Google sign-in is waiting, or it expired' },
      { status: 403, code: 'age_requirement', when: 'the person is under 13 (nothing is stored)' },
      { status: 404, code: 'not_found', when: 'Sign in with Google is not offered here' },
      {
        status: 409,
        code: 'google_email_in_use',
        when: 'the address belongs to an account that signs in another way',
      },
    ],
    handler: async ({ deps, body, req, res }) => {
      const pending = readSealed<PendingGoogleSignUp>(deps, req, PENDING);
      const forget = () => clearSealed(deps, res, PENDING);
      const started = await completeGoogleSignUp(deps, pending, body, sessionOrigin(req), forget);
      return enterSession(deps, req, res, started);
    },
  }),
];
