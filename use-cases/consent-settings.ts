// A person's privacy settings (D-RESTRICT, D-OBJECT, D-CONSENT, D-POLICY): the switches
// that restrict processing (no new generation, uploads or analytics) or object to
// analytics and direct marketing, each change audited, and the page that shows them with
// the consents and the policy acceptance.
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../db/entities/index.ts';
import type { ObjectionBody, PrivacySettings, RestrictionBody } from '../domain/contracts/consent.ts';
import { policyAcceptanceRequired } from '../domain/policy.ts';
import { recordAudit } from '../platform/audit.ts';
import { currentConsents } from './consent.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { currentPolicyVersion, latestConsentVersion } from './policy.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

async function settingsOf(deps: UseCaseDeps, em: EntityManager, user: User): Promise<PrivacySettings> {
  const current = await currentPolicyVersion(deps.orm);
  return {
    restricted: Boolean(user.restrictedAt),
    restrictedAt: iso(user.restrictedAt),
    objections: {
      analytics: Boolean(user.objectedToAnalyticsAt),
      marketing: Boolean(user.objectedToMarketingAt),
    },
    consents: await currentConsents(em, { user: user.id }),
    policy: {
      currentVersion: current?.version ?? null,
      acceptedVersion: user.policyVersionAccepted ?? null,
      acceptanceRequired: policyAcceptanceRequired(user, await latestConsentVersion(deps.orm)),
    },
  };
}

const settingChanged = (deps: UseCaseDeps, person: Actor, action: string, details: Record<string, unknown>) =>
  recordAudit(deps.orm.em.fork(), {
    action,
    actorId: person.id,
    actorRole: person.role,
    subjectUserId: person.id,
    details,
  });

export async function getPrivacySettings(deps: UseCaseDeps, person: Actor): Promise<PrivacySettings> {
  const em = deps.orm.em.fork();
  return settingsOf(deps, em, await em.findOneOrFail(User, { id: person.id }));
}

export async function setRestriction(
  deps: UseCaseDeps,
  person: Actor,
  body: RestrictionBody,
): Promise<PrivacySettings> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, { id: person.id });
  if (Boolean(user.restrictedAt) !== body.restricted) {
    user.restrictedAt = body.restricted ? new Date() : null;
    user.updatedAt = new Date();
    await em.flush();
    await settingChanged(deps, person, 'privacy.restriction_changed', { restricted: body.restricted });
  }
  return settingsOf(deps, em, user);
}

export async function setObjection(
  deps: UseCaseDeps,
  person: Actor,
  body: ObjectionBody,
): Promise<PrivacySettings> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, { id: person.id });
  const changed: Record<string, boolean> = {};
  if (body.analytics !== undefined && Boolean(user.objectedToAnalyticsAt) !== body.analytics) {
    user.objectedToAnalyticsAt = body.analytics ? new Date() : null;
    changed.analytics = body.analytics;
  }
  if (body.marketing !== undefined && Boolean(user.objectedToMarketingAt) !== body.marketing) {
    user.objectedToMarketingAt = body.marketing ? new Date() : null;
    changed.marketing = body.marketing;
  }
  if (Object.keys(changed).length > 0) {
    user.updatedAt = new Date();
    await em.flush();
    await settingChanged(deps, person, 'privacy.objection_changed', { objected: changed });
  }
  return settingsOf(deps, em, user);
}
