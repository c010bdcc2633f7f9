// CSRF protection (csrf-csrf, the double-submit cookie pattern with an HMAC bound to the
// session, or before sign-in to a random visitor id): every state-changing request made
// with our cookies must carry the token in `X-CSRF-Token`.
import { doubleCsrf } from 'csrf-csrf';
import type { Request, RequestHandler, Response } from 'express';
import { randomToken, sha256Hex } from '../../platform/crypto.ts';
import type { Clients } from '../../platform/clients.ts';
import { AppError } from '../errors.ts';
import { baseCookieOptions, cookieNames, isSecureDeployment } from './sessions.ts';

/** The header every state-changing request made with our cookies carries its token in. */
export const CSRF_HEADER = 'X-CSRF-Token';

export interface Csrf {
  /** Issues a token for this request's session (or visitor), setting the cookies it needs. */
  issue(req: Request, res: Response): string;
  protect: RequestHandler;
}

export function createCsrf(deps: Clients): Csrf {
  const secure = isSecureDeployment(deps);
  const names = cookieNames(secure);
  const identity = (req: Request) =>
    req.auth
      ? `session:${req.auth.session.id}`
      : `visitor:${req.visitorId ? sha256Hex(req.visitorId) : 'none'}`;
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => deps.config.sessionSecret,
    getSessionIdentifier: identity,
    cookieName: names.csrf,
    cookieOptions: { ...baseCookieOptions(secure), sameSite: 'strict' },
    getCsrfTokenFromRequest: (req) => req.get(CSRF_HEADER),
    errorConfig: { statusCode: 403, code: 'csrf', message: 'csrf' },
  });
  return {
    issue(req, res) {
      if (!req.auth && !req.visitorId) {
        req.visitorId = randomToken(24);
        res.cookie(names.visitor, req.visitorId, baseCookieOptions(secure));
      }
      // A token still valid for this session (or visitor) is reused, so a page load in one
      // tab does not invalidate forms open in another; a new session gets a new one.
      return generateCsrfToken(req, res, { overwrite: false });
    },
    protect: (req, res, next) => {
      doubleCsrfProtection(req, res, (err?: unknown) => {
        if (err) {
          // One code for the site to retry on; the message says what was wrong.
          const message = req.get(CSRF_HEADER)
            ? `The ${CSRF_HEADER} header does not match this session. Reload the page and try again.`
            : `This request has no ${CSRF_HEADER} header: send the token from GET /api/auth/session in it.`;
          next(new AppError(403, 'csrf_failed', message));
          return;
        }
        next();
      });
    },
  };
}
