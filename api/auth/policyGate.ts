// D-POLICY in the access layer: when a policy version that needs consent was published
// after an account was made, the account must accept it before anything else; every
// route that needs an active account answers 403 `policy_acceptance_required` until
// `POST /api/privacy/policy/accept`. The newest such version is cached briefly per
// process (a publication here clears the cache at once; other API instances follow
// within the cache's lifetime).
import type { RequestHandler } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { PolicyVersion } from '../../db/entities/index.ts';
import { policyAcceptanceRequired } from '../../domain/privacy.ts';
import { SECOND } from '../../domain/time.ts';
import { AppError } from '../errors.ts';

const CACHE_MS = 10 * SECOND;

interface Latest {
  value: { version: string; publishedAt: Date } | null;
  at: number;
}
const cache = new Map<MikroORM, Latest>();

/** The newest published version that needs consent, or null. */
export async function latestConsentVersion(
  orm: MikroORM,
): Promise<{ version: string; publishedAt: Date } | null> {
  const hit = cache.get(orm);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const [row] = await orm.em
    .fork()
    .find(
      PolicyVersion,
      { requiresConsent: true, publishedAt: { $lte: new Date() } },
      { orderBy: { publishedAt: 'desc' }, limit: 1 },
    );
  const value = row ? { version: row.version, publishedAt: row.publishedAt } : null;
  cache.set(orm, { value, at: Date.now() });
  return value;
}

export function clearPolicyCache(): void {
  cache.clear();
}

export const policyAcceptanceNeeded = (version: string) =>
  new AppError(
    403,
    'policy_acceptance_required',
    `Our privacy policy changed (version ${version}) and needs your agreement. Review and accept it to continue.`,
  );

export function policyGate(orm: MikroORM): RequestHandler {
  return (req, _res, next) => {
    const user = req.auth?.user;
    if (!user) return next();
    latestConsentVersion(orm)
      .then((latest) =>
        next(policyAcceptanceRequired(user, latest) ? policyAcceptanceNeeded(latest!.version) : undefined),
      )
      .catch(next);
  };
}
