// The versioned privacy policy (D-POLICY): its published versions, a person's acceptance
// of the current one, and the legal team's publication (a material change is emailed to
// every account; one that needs consent must be accepted before further use). The
// newest version that needs consent is cached briefly per process for the gate every
// route passes (a publication here clears the cache at once; other API processes follow
// within POLICY_CACHE_MS). While Temporal does not answer, a material change is
// published all the same and its announcement kept for the unstarted sweep.
import type { MikroORM } from '@mikro-orm/postgresql';
import { policyAnnouncementId, startPolicyAnnouncement } from '../clients/announcement.ts';
import { Consent, PolicyVersion, User } from '../db/entities/index.ts';
import type {
  AcceptPolicyBody,
  PolicyAccepted,
  PolicyInfo,
  PolicyPublished,
  PublishPolicyBody,
} from '../domain/contracts/policy.ts';
import { AppError, badRequest, conflict } from '../domain/errors.ts';
import {
  POLICY_ANNOUNCEMENT_START_DEADLINE_MS,
  POLICY_CACHE_MS,
  policyAcceptanceRequired,
  type ConsentVersion,
  POLICY_VERSION_LIST_LIMIT,
} from '../domain/policy.ts';
import { recordAudit } from '../platform/audit.ts';
import { recordUnstartedStart } from '../stores/unstarted.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { callOrRecord } from './unanswered.ts';

/** The account fields the acceptance rule reads. */
export type PolicySubject = Parameters<typeof policyAcceptanceRequired>[0];

const cache = new Map<MikroORM, { value: ConsentVersion | null; at: number }>();

/** The newest published version that needs consent, or null. */
export async function latestConsentVersion(orm: MikroORM): Promise<ConsentVersion | null> {
  const hit = cache.get(orm);
  if (hit && Date.now() - hit.at < POLICY_CACHE_MS) return hit.value;
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

/** Passes when the account accepted every change that needs its consent; refuses otherwise. */
export async function requirePolicyAccepted(orm: MikroORM, user: PolicySubject): Promise<void> {
  const latest = await latestConsentVersion(orm);
  if (latest && policyAcceptanceRequired(user, latest)) {
    throw new AppError(
      403,
      'policy_acceptance_required',
      `Our privacy policy changed (version ${latest.version}) and needs your agreement. Review and accept it to continue.`,
    );
  }
}

/** The version in force now. */
export async function currentPolicyVersion(orm: MikroORM): Promise<PolicyVersion | null> {
  const [current] = await orm.em
    .fork()
    .find(
      PolicyVersion,
      { publishedAt: { $lte: new Date() } },
      { orderBy: { publishedAt: 'desc' }, limit: 1 },
    );
  return current ?? null;
}

/** The published versions, newest first, and whether this person (if signed in) must accept the newest. */
export async function getPolicyInfo(deps: UseCaseDeps, reader: PolicySubject | null): Promise<PolicyInfo> {
  const versions = await deps.orm.em
    .fork()
    .find(
      PolicyVersion,
      { publishedAt: { $lte: new Date() } },
      { orderBy: { publishedAt: 'desc' }, limit: POLICY_VERSION_LIST_LIMIT },
    );
  const latest = await latestConsentVersion(deps.orm);
  return {
    current: versions[0]?.version ?? null,
    versions: versions.map((v) => ({
      version: v.version,
      publishedAt: v.publishedAt.toISOString(),
      material: v.material,
      requiresConsent: v.requiresConsent,
      summary: v.summary,
    })),
    acceptanceRequired: reader ? policyAcceptanceRequired(reader, latest) : false,
  };
}

export async function acceptPolicy(
  deps: UseCaseDeps,
  person: Actor,
  body: AcceptPolicyBody,
): Promise<PolicyAccepted> {
  const current = await currentPolicyVersion(deps.orm);
  if (!current || current.version !== body.version) {
    throw badRequest('Accept the current version of the policy.', [
      { field: 'version', message: `The current version is ${current?.version ?? 'none'}.` },
    ]);
  }
  const em = deps.orm.em.fork();
  const acceptedAt = new Date();
  await em.nativeUpdate(
    User,
    { id: person.id },
    { policyVersionAccepted: current.version, policyAcceptedAt: acceptedAt },
  );
  // D-CONSENT: the acceptance is a consent record too, with its time and version.
  await em.insert(Consent, {
    user: person.id,
    purpose: 'privacy_policy',
    granted: true,
    policyVersion: current.version,
    source: 'policy_acceptance',
    createdAt: acceptedAt,
  });
  await recordAudit(em, {
    action: 'privacy.policy_accepted',
    actorId: person.id,
    actorRole: person.role,
    subjectUserId: person.id,
    details: { version: current.version },
  });
  return { status: 'accepted', version: current.version, acceptedAt: acceptedAt.toISOString() };
}

/**
 * Starts the material change's announcement to every account, or keeps it for the
 * unstarted sweep while Temporal does not answer (`kept`); either way its workflow id.
 */
async function announce(deps: UseCaseDeps, version: string): Promise<{ workflowId: string; kept: boolean }> {
  let kept = false;
  await callOrRecord(deps, {
    deadlineMs: POLICY_ANNOUNCEMENT_START_DEADLINE_MS,
    call: () => startPolicyAnnouncement(deps.temporal.client, version),
    record: (em, namespace) => {
      kept = true;
      return recordUnstartedStart(em, 'policyAnnouncement', version, namespace);
    },
    warning: {
      message: 'policy announcement kept, its workflow not started: the unstarted sweep starts it',
      context: { version },
    },
  });
  return { workflowId: policyAnnouncementId(version), kept };
}

export async function publishPolicyVersion(
  deps: UseCaseDeps,
  staff: Actor,
  body: PublishPolicyBody,
): Promise<PolicyPublished> {
  const em = deps.orm.em.fork();
  if (await em.findOne(PolicyVersion, { version: body.version })) {
    throw conflict('version_exists', 'This version is already published.');
  }
  const version = em.create(PolicyVersion, {
    version: body.version,
    publishedAt: new Date(),
    material: body.material,
    requiresConsent: body.requiresConsent,
    summary: body.summary,
    publishedBy: staff.id,
  });
  await em.flush();
  clearPolicyCache();
  const announcement = body.material ? await announce(deps, body.version) : null;
  await recordAudit(em, {
    action: 'privacy.policy_published',
    actorId: staff.id,
    actorRole: staff.role,
    details: { version: body.version, material: body.material, requiresConsent: body.requiresConsent },
  });
  return {
    version: version.version,
    publishedAt: version.publishedAt.toISOString(),
    material: version.material,
    requiresConsent: version.requiresConsent,
    announcementWorkflowId: announcement?.workflowId ?? null,
    announcementKept: announcement?.kept ?? false,
  };
}
