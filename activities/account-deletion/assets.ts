// Every file of a person whose account is deleted (D-ERASE, R-PROOF, R-HOLD): each asked
// to be deleted now through its retention workflow's deletion path (reason
// `account_deletion` or `minor`), with proof, or deferred while a hold covers it; then
// counted until every one has its proof, which finishes the step on the request's row.
import type { MikroORM } from '@mikro-orm/postgresql';
import { Asset } from '../../db/entities/index.ts';
import { LIVE_ASSET_STATUSES, SWEEP_BATCH_SIZE, type DeletionReason } from '../../domain/retention.ts';
import { deleteAsset, deleteAssetNow } from '../../stores/retention.ts';
import { finishStep, recordCounts } from '../../stores/rights-request.ts';
import { heartbeat, resumeFrom } from '../heartbeat.ts';
import { loadDeletionRequest, type DeletionDeps, type DeletionIds } from './request.ts';

export interface AssetDeletionStatus {
  remaining: number;
  held: number;
  unrequested: number;
}

export function createAssetDeletionActivities(deps: DeletionDeps) {
  return {
    /**
     * Asks every live file of the person to be deleted now, through its retention
     * workflow's deletion path: deletion with proof, or deferral while a hold covers it.
     * Heartbeats its place in the list.
     */
    requestAssetDeletions: (input: DeletionIds) => requestAssetDeletions(deps, input),
    /**
     * How many of the person's files still wait for their deletion proof, how many of
     * those are held, and how many nobody asked to delete yet (stored after the request
     * went out, such as an export that was being written).
     */
    assetDeletionStatus: (userId: string) => assetDeletionStatus(deps.orm, userId),
  };
}

async function requestAssetDeletions(
  deps: DeletionDeps,
  input: DeletionIds,
): Promise<{ requested: number; deferred: number }> {
  const request = await loadDeletionRequest(deps.orm, input.requestId);
  const reason: DeletionReason = request.origin === 'minor' ? 'minor' : 'account_deletion';
  const requestedBy = (request.details?.requestedBy as string | undefined) ?? input.userId;
  let after = resumeFrom<{ after: string }>()?.after ?? '00000000-0000-0000-0000-000000000000';
  let requested = 0;
  let deferred = 0;
  for (;;) {
    const page = await deps.orm.em
      .fork()
      .find(
        Asset,
        { user: input.userId, status: { $in: [...LIVE_ASSET_STATUSES] }, id: { $gt: after } },
        { orderBy: { id: 'asc' }, limit: SWEEP_BATCH_SIZE },
      );
    for (const asset of page) {
      // A file whose upload never finished has no retention workflow: deleted directly.
      const outcome = asset.deleteAt
        ? await deleteAssetNow(deps, asset, { reason, requestedBy })
        : await deleteAsset(deps, {
            assetId: asset.id,
            userId: input.userId,
            kind: asset.kind,
            objectKey: asset.objectKey,
            reason,
            requestedBy,
            requestedAt: new Date().toISOString(),
          });
      if (outcome.status === 'deferred') deferred++;
      requested++;
      after = asset.id;
      heartbeat({ after });
    }
    if (page.length < SWEEP_BATCH_SIZE) break;
  }
  // The first round's figure: later rounds only ask for files stored since.
  await recordCounts(
    deps.orm.em.fork(),
    { id: input.requestId },
    { filesRequested: requested },
    { keepFirst: true },
  );
  return { requested, deferred };
}

async function assetDeletionStatus(orm: MikroORM, userId: string): Promise<AssetDeletionStatus> {
  const em = orm.em.fork();
  const [row] = await em.execute<AssetDeletionStatus[]>(
    `select count(*)::int as remaining,
            count(*) filter (where a.status in ('pending', 'stored', 'missing'))::int as unrequested,
            count(*) filter (where exists (
              select 1 from legal_holds h where h.released_at is null
                 and (h.user_id = a.user_id or h.asset_id = a.id)))::int as held
       from assets a where a.user_id = ? and a.status <> 'deleted'`,
    [userId],
  );
  const status = { remaining: row?.remaining ?? 0, held: row?.held ?? 0, unrequested: row?.unrequested ?? 0 };
  const counts = { filesRemaining: status.remaining };
  if (status.remaining === 0)
    await finishStep(em, { deletionOf: userId }, 'deletion', 'delete_assets', counts);
  else await recordCounts(em, { deletionOf: userId }, counts);
  return status;
}
