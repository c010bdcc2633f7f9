// The start of an account deletion (D-ERASE, R-HOLD): the holds that pause it, the
// account made unusable (every session revoked), and every running job asked to cancel
// through its own workflow, where its credits are released as for any cancellation.
// Each marks its step done on the request's row when its work is complete.
import type { MikroORM } from '@mikro-orm/postgresql';
import { requestGenerationCancel } from '../../clients/generation.ts';
import { User } from '../../db/entities/index.ts';
import { TERMINAL_JOB_STATUSES } from '../../domain/generation.ts';
import { LIVE_ASSET_STATUSES } from '../../domain/retention.ts';
import { addCount, auditOnce, finishStep } from '../../stores/rights-request.ts';
import { heartbeat } from '../heartbeat.ts';
import { deletionAudit, loadDeletionRequest, type DeletionDeps, type DeletionIds } from './request.ts';

export function createSessionActivities(deps: DeletionDeps) {
  return {
    /** R-HOLD: active holds on the person or on any of their live files. */
    deletionHolds: (userId: string) => deletionHolds(deps.orm, userId),
    /**
     * The account stops being usable: status `deletion_requested` (a minor's stays
     * `suspended_minor`), every session revoked. Repeats change nothing more.
     */
    suspendAccount: (input: DeletionIds) => suspendAccount(deps.orm, input),
    /**
     * Asks every unfinished job to cancel through its own workflow (its credits are
     * released there, as for any cancellation). Answers how many are still running.
     */
    cancelRunningJobs: (userId: string) => cancelRunningJobs(deps, userId),
  };
}

async function deletionHolds(orm: MikroORM, userId: string): Promise<string[]> {
  const rows = await orm.em.fork().execute<{ id: string }[]>(
    `select id from legal_holds
      where released_at is null
        and (user_id = ? or asset_id in (select id from assets where user_id = ? and status in (?)))
      order by placed_at, id`,
    [userId, userId, [...LIVE_ASSET_STATUSES]],
  );
  return rows.map((r) => r.id);
}

async function suspendAccount(orm: MikroORM, input: DeletionIds): Promise<{ revokedSessions: number }> {
  const em = orm.em.fork();
  const request = await loadDeletionRequest(orm, input.requestId);
  await em.nativeUpdate(
    User,
    { id: input.userId, status: { $nin: ['deleted', 'suspended_minor'] } },
    { status: 'deletion_requested', updatedAt: new Date() },
  );
  const revoked = await em.execute<{ id: string }[]>(
    'update sessions set revoked_at = now() where user_id = ? and revoked_at is null returning id',
    [input.userId],
  );
  await auditOnce(
    em,
    `suspended:${input.requestId}`,
    deletionAudit(request, 'privacy.account_suspended', { revokedSessions: revoked.length }),
  );
  await finishStep(em, { id: input.requestId }, 'deletion', 'revoke_sessions', {
    sessionsRevoked: revoked.length,
  });
  return { revokedSessions: revoked.length };
}

const runningJobs = async (orm: MikroORM, userId: string) =>
  orm.em
    .fork()
    .execute<{ id: string; status: string }[]>(
      `select id, status from generation_jobs where user_id = ? and status not in (?) order by created_at`,
      [userId, [...TERMINAL_JOB_STATUSES]],
    );

async function cancelRunningJobs(
  deps: DeletionDeps,
  userId: string,
): Promise<{ asked: number; running: number }> {
  let asked = 0;
  for (const job of await runningJobs(deps.orm, userId)) {
    // Started, not awaited: the workflow polls the rows for the jobs to end.
    try {
      if ((await requestGenerationCancel(deps.temporal.client, job.id, userId)) === 'asked') asked++;
    } catch (err) {
      // A job that ended while it was asked needs nothing more.
      const [row] = await deps.orm.em
        .fork()
        .execute<{ status: string }[]>('select status from generation_jobs where id = ?', [job.id]);
      if (!row || !(TERMINAL_JOB_STATUSES as readonly string[]).includes(row.status)) throw err;
    }
    heartbeat({ asked });
  }
  const running = (await runningJobs(deps.orm, userId)).length;
  const em = deps.orm.em.fork();
  await addCount(em, { deletionOf: userId }, 'jobsCancelled', asked);
  if (running === 0) await finishStep(em, { deletionOf: userId }, 'deletion', 'cancel_jobs');
  return { asked, running };
}
