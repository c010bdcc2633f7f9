// Who may call a route (S-RBAC): the route names what it allows; this turns that into
// middleware. Object-level checks (a creator reaches only their own records) are made
// by each handler through `ownerScope`.
import type { Request, RequestHandler } from 'express';
import { isStaff, type Role } from '../../domain/accounts.ts';
import { AppError, forbidden, unauthorized } from '../errors.ts';
import type { Access } from '../route.ts';
import type { AuthContext } from './context.ts';

export const mfaRequired = () =>
  new AppError(
    403,
    'mfa_required',
    'Staff access needs two-factor authentication. Verify your code to continue.',
  );

function problemFor(access: Access, auth: AuthContext | undefined): AppError | undefined {
  if (access === 'public') return undefined;
  if (!auth) return unauthorized();
  const { user, session } = auth;
  if (access === 'session') return undefined;
  // Anyone who turned on two-factor authentication must pass it in this session first.
  if (user.mfaEnabledAt && !session.mfaVerifiedAt) return mfaRequired();
  if (user.status === 'awaiting_parental_consent') {
    return new AppError(
      403,
      'parental_consent_required',
      'Your account is waiting for a parent or guardian to confirm it. We emailed them a link.',
    );
  }
  if (user.status !== 'active') {
    return new AppError(403, 'account_inactive', 'This account can no longer be used.');
  }
  if (access === 'signed-in') return undefined;
  if (access === 'verified') {
    return user.emailVerifiedAt
      ? undefined
      : new AppError(403, 'email_unverified', 'Please verify your email address first.');
  }
  const roles = access as readonly Role[];
  if (!roles.includes(user.role)) return forbidden();
  if (isStaff(user.role) && (!user.mfaEnabledAt || !session.mfaVerifiedAt)) return mfaRequired();
  return undefined;
}

export function accessMiddleware(access: Access): RequestHandler | undefined {
  if (access === 'public') return undefined;
  return (req, _res, next) => next(problemFor(access, req.auth));
}

/** The signed-in caller; routes that are not public can rely on it. */
export function caller(req: Request): AuthContext {
  if (!req.auth) throw unauthorized();
  return req.auth;
}
