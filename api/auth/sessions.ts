// The HTTP side of sessions: the cookie that carries a session's token, and the
// middleware that finds the caller's live session (stores/accounts.ts keeps the sessions
// themselves). The cookie has no expiry: it ends with the browser session (R-COOKIE).
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import type { SignedInAnswer } from '../../domain/contracts/accounts.ts';
import type { Clients } from '../../platform/clients.ts';
import { findSession, touchSession, type SessionOrigin, type StartedSession } from '../../stores/accounts.ts';
import { userView } from '../../use-cases/accounts.ts';
import type { ApiDeps } from '../deps.ts';
import type { SessionCache } from './session-cache.ts';
import './context.ts';

export interface CookieNames {
  session: string;
  visitor: string;
  csrf: string;
  oidc: string;
}

/** `__Host-` names bind cookies to the exact origin over HTTPS; plain names in development. */
export function cookieNames(secure: boolean): CookieNames {
  const prefix = secure ? '__Host-' : '';
  return {
    session: `${prefix}cw_session`,
    visitor: `${prefix}cw_visitor`,
    csrf: `${prefix}cw_csrf`,
    oidc: `${prefix}cw_oidc`,
  };
}

export function baseCookieOptions(secure: boolean): CookieOptions {
  // No maxAge or expires: a session cookie, gone when the browser session ends.
  return { httpOnly: true, sameSite: 'lax', secure, path: '/' };
}

export function isSecureDeployment(deps: Pick<Clients, 'config'>): boolean {
  return deps.config.env === 'production';
}

/** What the session log keeps about the browser signing in, and its visitor id. */
export function sessionOrigin(req: Request): SessionOrigin {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null, visitorId: req.visitorId };
}

export function setSessionCookie(deps: Pick<Clients, 'config'>, res: Response, token: string): void {
  const secure = isSecureDeployment(deps);
  res.cookie(cookieNames(secure).session, token, baseCookieOptions(secure));
}

export function clearSessionCookie(deps: Pick<Clients, 'config'>, res: Response): void {
  const secure = isSecureDeployment(deps);
  res.clearCookie(cookieNames(secure).session, baseCookieOptions(secure));
}

/**
 * Hands a session a use case started to the browser: its cookie, the request's caller,
 * and a CSRF token bound to the new session for the next change.
 */
export function enterSession(
  deps: ApiDeps,
  req: Request,
  res: Response,
  started: StartedSession,
): SignedInAnswer {
  setSessionCookie(deps, res, started.token);
  req.auth = { user: started.user, session: started.session };
  return { user: userView(started.user, started.session), csrfToken: deps.csrf.issue(req, res) };
}

/** Reads the visitor cookie (the browser's id before and without an account). */
export function visitorMiddleware(deps: Pick<Clients, 'config'>): RequestHandler {
  const names = cookieNames(isSecureDeployment(deps));
  return (req, _res, next) => {
    const visitor: unknown = req.cookies?.[names.visitor];
    if (typeof visitor === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(visitor)) req.visitorId = visitor;
    next();
  };
}

/**
 * Attaches `req.auth` when the request carries a live session, and refreshes its
 * last-seen time; a route declared with `sessionCache` may find it among the sessions
 * this process holds (session-cache.ts).
 */
export function sessionMiddleware(deps: Clients, cache: SessionCache, cached: boolean): RequestHandler {
  const names = cookieNames(isSecureDeployment(deps));
  return async (req, _res, next) => {
    try {
      const token: unknown = req.cookies?.[names.session];
      if (typeof token === 'string' && token.length > 0 && token.length < 200) {
        const em = deps.orm.em.fork();
        const found = cached ? await cache.find(em, token) : await findSession(em, token);
        if (found) {
          req.auth = found;
          await touchSession(em, found.session);
        }
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
