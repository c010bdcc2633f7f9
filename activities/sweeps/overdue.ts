// The safety net under the retention workflows, run by a Temporal Schedule: an asset
// still stored an hour past its delete-at is one whose workflow was lost (its start never
// happened, or went with the engine's last writes in a crash), and nothing else would
// ever delete it. It is deleted here as its timer would have (R-OUT-7D, R-IN-30D), with
// the same hold check and proof (stores/retention.ts), the audit event naming this run.
// Assets a legal hold covers are left to the hold's release. Heartbeats its position.
import type { MikroORM } from '@mikro-orm/postgresql';
import { OVERDUE_DELETE_CONCURRENCY, SWEEP_BATCH_SIZE, type AssetKind } from '../../domain/retention.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import { deleteAsset } from '../../stores/retention.ts';
import { heartbeat, resumeFrom } from '../heartbeat.ts';
import { checkScope, likePrefix, type SweepScope } from './scope.ts';

export interface OverdueAssetsResult {
  /** Assets found past their delete-at by more than the grace period, not held. */
  overdue: number;
  deleted: number;
  /** Found held by the time their turn came (a hold placed during the sweep). */
  held: number;
}

interface OverdueRow {
  id: string;
  user_id: string | null;
  kind: AssetKind;
  object_key: string;
  delete_at: Date;
}

type OverdueDeps = { orm: MikroORM; store: ObjectStore };

/** The next page of overdue, unheld assets after `after`, in delete-at order. */
function overduePage(orm: MikroORM, scope: SweepScope, cutoff: Date, after: { at: string; id: string }) {
  // "status <> 'deleted'" matches the partial index assets_overdue_index, so the deleted
  // rows of years past are never read.
  return orm.em.fork().execute<OverdueRow[]>(
    `select a.id, a.user_id, a.kind, a.object_key, a.delete_at from assets a
      where a.status <> 'deleted' and a.delete_at < ? and a.object_key like ?
        and (a.delete_at, a.id) > (?, ?)
        and not exists (select 1 from legal_holds h
                         where h.released_at is null and (h.asset_id = a.id or h.user_id = a.user_id))
      order by a.delete_at, a.id limit ?`,
    [cutoff, likePrefix(scope.prefix), new Date(after.at), after.id, SWEEP_BATCH_SIZE],
  );
}

async function deleteOverdueAssets(deps: OverdueDeps, scope: SweepScope): Promise<OverdueAssetsResult> {
  checkScope(scope);
  const cutoff = new Date(Date.now() - scope.graceMs);
  const progress = resumeFrom<OverdueAssetsResult & { after: { at: string; id: string } }>() ?? {
    after: { at: new Date(0).toISOString(), id: '00000000-0000-0000-0000-000000000000' },
    overdue: 0,
    deleted: 0,
    held: 0,
  };
  for (;;) {
    const rows = await overduePage(deps.orm, scope, cutoff, progress.after);
    let next = 0;
    const work = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        const outcome = await deleteAsset(deps, {
          assetId: row.id,
          userId: row.user_id,
          kind: row.kind,
          objectKey: row.object_key,
          reason: 'timer',
          requestedAt: new Date().toISOString(),
          sweepId: scope.sweepId,
        });
        if (outcome.status === 'deleted') progress.deleted++;
        else progress.held++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(OVERDUE_DELETE_CONCURRENCY, rows.length) }, work));
    progress.overdue += rows.length;
    const last = rows.at(-1);
    if (last) progress.after = { at: new Date(last.delete_at).toISOString(), id: last.id };
    heartbeat(progress);
    if (rows.length < SWEEP_BATCH_SIZE) break;
  }
  return { overdue: progress.overdue, deleted: progress.deleted, held: progress.held };
}

export function createOverdueSweepActivities(deps: OverdueDeps) {
  return {
    deleteOverdueAssets: (scope: SweepScope) => deleteOverdueAssets(deps, scope),
  };
}
