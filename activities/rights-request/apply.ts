// Carrying out the rights that change the account itself: rectification (D-RECTIFY),
// restriction (D-RESTRICT), objection (D-OBJECT) and consent withdrawal (D-CONSENT), as
// the request's details say. One transaction changes the account and marks the step
// done with how many changes it made; setting a flag that is already set changes nothing.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { Consent, User, type RightsRequest } from '../../db/entities/index.ts';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../../domain/consent.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { auditOnce, finishStep } from '../../stores/rights-request.ts';
import { loadRequestRow, requestAudit } from './records.ts';

export function createApplyActivities(deps: { orm: MikroORM }) {
  const { orm } = deps;
  return {
    async applyRightsRequest(requestId: string): Promise<{ applied: string[] }> {
      const request = await loadRequestRow(orm, requestId);
      if (!request.user)
        throw ApplicationFailure.nonRetryable('the request has no account', 'RequestNotFound');
      const em = orm.em.fork();
      const applied = await em.transactional(async (tx) => {
        const user = await tx.findOneOrFail(User, { id: request.user! });
        const changes = await applyTo(tx, request, user);
        user.updatedAt = new Date();
        await tx.flush();
        await finishStep(tx, { id: requestId }, request.type, 'apply', { changes: changes.length });
        return changes;
      });
      await auditOnce(
        em,
        `applied:${requestId}`,
        requestAudit(request, 'privacy.request_applied', { applied }),
      );
      return { applied };
    },
  };
}

/** Changes the account as the request asks; answers what was applied. */
async function applyTo(tx: EntityManager, request: RightsRequest, user: User): Promise<string[]> {
  const details = request.details ?? {};
  switch (request.type) {
    case 'restriction':
      if (!user.restrictedAt) user.restrictedAt = new Date();
      return ['restricted'];
    case 'objection': {
      const purposes = (details.purposes as string[] | undefined) ?? ['analytics', 'marketing'];
      const applied: string[] = [];
      if (purposes.includes('analytics')) {
        user.objectedToAnalyticsAt ??= new Date();
        applied.push('objected_to_analytics');
      }
      if (purposes.includes('marketing')) {
        user.objectedToMarketingAt ??= new Date();
        applied.push('objected_to_marketing');
      }
      return applied;
    }
    case 'consent_withdrawal':
      return withdrawConsents(tx, request, user);
    case 'rectification': {
      const corrections = (details.corrections ?? {}) as { name?: string; dateOfBirth?: string };
      const applied: string[] = [];
      if (corrections.name) {
        user.name = corrections.name;
        applied.push('name');
      }
      if (corrections.dateOfBirth) {
        user.dateOfBirth = corrections.dateOfBirth;
        applied.push('dateOfBirth');
      }
      return applied;
    }
    default:
      throw ApplicationFailure.nonRetryable(`${request.type} is not applied here`, 'WrongRequestType');
  }
}

/** A withdrawal is a new consent row per purpose (D-CONSENT); earlier choices stay as they were. */
async function withdrawConsents(tx: EntityManager, request: RightsRequest, user: User): Promise<string[]> {
  const wanted = (request.details?.purposes as ConsentPurpose[] | undefined) ?? [...CONSENT_PURPOSES];
  const applied: string[] = [];
  for (const purpose of wanted.filter((p) => CONSENT_PURPOSES.includes(p))) {
    // Once per request: a retry finds the row this request already wrote.
    const source = `request:${request.id}`.slice(0, 64);
    const done = await tx.count(Consent, { user: user.id, purpose, source });
    if (done === 0) {
      tx.create(Consent, {
        user: user.id,
        purpose,
        granted: false,
        policyVersion: POLICY_VERSION,
        source,
        createdAt: new Date(),
      });
    }
    applied.push(`withdrew_${purpose}`);
  }
  return applied;
}
