// The parental-consent timer's one activity (D-MINOR): the account still waiting for its
// parent when the period ends is deleted, keeping nothing; the deletion is audited.
import type { MikroORM } from '@mikro-orm/postgresql';
import { recordAudit } from '../platform/audit.ts';
import { eraseUnconfirmedAccount } from '../stores/parental-consent.ts';

export function createParentalConsentActivities(deps: { orm: MikroORM }) {
  return {
    async expireUnconfirmedAccount(userId: string): Promise<'deleted' | 'not_pending'> {
      const em = deps.orm.em.fork();
      if (!(await eraseUnconfirmedAccount(em, userId))) return 'not_pending';
      await recordAudit(em, {
        action: 'account.parental_consent_expired',
        actorRole: 'system',
        targetType: 'user',
        subjectUserId: userId,
        details: { kept: 'nothing' },
      });
      return 'deleted';
    },
  };
}

export type ParentalConsentActivities = ReturnType<typeof createParentalConsentActivities>;
