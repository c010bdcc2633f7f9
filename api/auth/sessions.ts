// Server-held sessions: a random token in an httpOnly, SameSite cookie without an
// expiry (it ends with the browser session, R-COOKIE); only the token's hash is stored.
// Each session keeps IP, browser and times: the session log that expires after 30 days.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import {
  SESSION_ABSOLUTE_TIMEOUT_MS,
  SESSION_IDLE_TIMEOUT_MS,
  SESSION_TOUCH_INTERVAL_MS,
} from '../../domain/accounts.ts';
import { Session, User } from '../../db/entities/index.ts';
import { randomToken, sha256Hex } from '../../platform/crypto.ts';
import type { Clients } from '../../platform/clients.ts';
import './context.ts';
import { carryVisitorChoices } from './visitorChoices.ts';

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

export function isSecureDeployment(deps: Clients): boolean {
  return deps.config.env === 'production';
}

const ua = (req: Request) => req.get('user-agent')?.slice(0, 512) ?? null;

export async function createSession(
  em: EntityManager,
  user: User,
  req: Request,
  options: { mfaVerified?: boolean } = {},
): Promise<{ token: string; session: Session }> {
  const token = randomToken();
  const now = new Date();
  const session = em.create(Session, {
    user: user.id,
    tokenHash: sha256Hex(token),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_TIMEOUT_MS),
    mfaVerifiedAt: options.mfaVerified ? now : null,
    ip: req.ip?.slice(0, 64) ?? null,
    userAgent: ua(req),
  });
  await em.flush();
  if (req.visitorId) await carryVisitorChoices(em, user.id, req.visitorId);
  return { token, session };
}

/** The live session for a token, or null when it is unknown, revoked, idle too long or past its end. */
export async function findSession(
  em: EntityManager,
  token: string,
): Promise<{ session: Session; user: User } | null> {
  const session = await em.findOne(Session, { tokenHash: sha256Hex(token), revokedAt: null });
  if (!session) return null;
  const now = Date.now();
  if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + SESSION_IDLE_TIMEOUT_MS <= now)
    return null;
  const user = await em.findOne(User, { id: session.user });
  if (!user || user.status === 'deleted') return null;
  return { session, user };
}

export async function revokeSession(em: EntityManager, sessionId: string): Promise<void> {
  await em.nativeUpdate(Session, { id: sessionId, revokedAt: null }, { revokedAt: new Date() });
}

/** Ends every session of a user (sign-out everywhere, password reset, role change), optionally but one. */
export async function revokeAllSessions(
  em: EntityManager,
  userId: string,
  exceptSessionId?: string,
): Promise<number> {
  return em.nativeUpdate(
    Session,
    { user: userId, revokedAt: null, ...(exceptSessionId ? { id: { $ne: exceptSessionId } } : {}) },
    { revokedAt: new Date() },
  );
}

export function setSessionCookie(deps: Clients, res: Response, token: string): void {
  const secure = isSecureDeployment(deps);
  res.cookie(cookieNames(secure).session, token, baseCookieOptions(secure));
}

export function clearSessionCookie(deps: Clients, res: Response): void {
  const secure = isSecureDeployment(deps);
  res.clearCookie(cookieNames(secure).session, baseCookieOptions(secure));
}

/** Attaches `req.auth` when the request carries a live session; refreshes its last-seen time. */
export function sessionMiddleware(deps: Clients): RequestHandler {
  const names = cookieNames(isSecureDeployment(deps));
  return async (req, _res, next) => {
    try {
      const token: unknown = req.cookies?.[names.session];
      if (typeof token === 'string' && token.length > 0 && token.length < 200) {
        const em = deps.orm.em.fork();
        const found = await findSession(em, token);
        if (found) {
          req.auth = found;
          if (Date.now() - found.session.lastSeenAt.getTime() > SESSION_TOUCH_INTERVAL_MS) {
            await em.nativeUpdate(Session, { id: found.session.id }, { lastSeenAt: new Date() });
          }
        }
      }
      const visitor: unknown = req.cookies?.[names.visitor];
      if (typeof visitor === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(visitor)) req.visitorId = visitor;
      next();
    } catch (err) {
      next(err);
    }
  };
}
