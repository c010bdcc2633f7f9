// What an account deletion kept goes at its end date (KEPT_AFTER_DELETION), run by a
// Temporal Schedule once a day: a deleted person's rights requests 2 years after they
// ended, their released legal holds 7 years after the release. Only records whose account
// is gone (named by pseudonym) are touched; a living person's records stay with the account.
import type { MikroORM } from '@mikro-orm/postgresql';
import { LEGAL_HOLD_RECORD_KEEP_MS, RIGHTS_REQUEST_RECORD_KEEP_MS } from '../../domain/account-deletion.ts';
import { PRIVACY_SWEEP_BATCH_SIZE } from '../../domain/sweeps.ts';
import { recordAudit } from '../../platform/audit.ts';
import { heartbeat } from '../heartbeat.ts';

export interface KeptRecordSweep {
  rightsRequests: number;
  legalHolds: number;
}

export function createKeptRecordSweepActivities(deps: { orm: MikroORM }) {
  const { orm } = deps;
  return {
    /**
     * What an account deletion kept reaches its end date (KEPT_AFTER_DELETION): the
     * person's rights requests 2 years after they ended, a released legal hold 7 years
     * after its release. Only records whose account is gone (named by pseudonym).
     */
    async deleteKeptRecordsPastEnd(): Promise<KeptRecordSweep> {
      const requestCutoff = new Date(Date.now() - RIGHTS_REQUEST_RECORD_KEEP_MS);
      const holdCutoff = new Date(Date.now() - LEGAL_HOLD_RECORD_KEEP_MS);
      const inBatches = async (sql: string, cutoff: Date) => {
        let total = 0;
        for (;;) {
          const rows = await orm.em.fork().execute<{ id: string }[]>(sql, [cutoff, PRIVACY_SWEEP_BATCH_SIZE]);
          total += rows.length;
          heartbeat({ total });
          if (rows.length < PRIVACY_SWEEP_BATCH_SIZE) return total;
        }
      };
      const rightsRequests = await inBatches(
        `delete from rights_requests where id in (select id from rights_requests
         where user_id is null and subject_pseudonym is not null
           and coalesce(completed_at, created_at) < ? limit ?) returning id`,
        requestCutoff,
      );
      const legalHolds = await inBatches(
        `delete from legal_holds where id in (select id from legal_holds
         where user_id is null and subject_pseudonym is not null
           and released_at is not null and released_at < ? limit ?) returning id`,
        holdCutoff,
      );
      if (rightsRequests + legalHolds > 0) {
        await recordAudit(orm.em.fork(), {
          action: 'privacy.kept_records_swept',
          actorRole: 'system',
          details: {
            rightsRequests,
            legalHolds,
            requestCutoff: requestCutoff.toISOString(),
            holdCutoff: holdCutoff.toISOString(),
          },
        });
      }
      return { rightsRequests, legalHolds };
    },
  };
}
