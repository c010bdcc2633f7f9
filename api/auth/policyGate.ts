// D-POLICY in the access layer: every route that needs an active account answers 403
// `policy_acceptance_required` while the account has not accepted a published change
// that needs its consent (the rule and its cache: use-cases/policy.ts), until
// `POST /api/privacy/policy/accept`.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RequestHandler } from 'express';
import { requirePolicyAccepted } from '../../use-cases/policy.ts';

export function policyGate(orm: MikroORM): RequestHandler {
  return (req, _res, next) => {
    const user = req.auth?.user;
    if (!user) return next();
    requirePolicyAccepted(orm, user).then(() => next(), next);
  };
}
