// An upheld take-down's removal (S-TAKEDOWN): the named content and everything made from
// it (stores/takedown-lineage.ts) leave every view at once (each job and file is marked
// with the take-down), running jobs among them are stopped, and every stored object is
// deleted now with its proof (stores/retention.ts deleteAssetNow, reason `takedown`).
// Under a legal hold the object is kept out of sight and deleted at the release (R-HOLD).
// Idempotent: a retry finds the proofs already written and the marks already set.
import type { MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { requestGenerationCancel } from '../../clients/generation.ts';
import { Asset, GenerationJob, TakedownRequest, type TakedownRemoval } from '../../db/entities/index.ts';
import { isTerminal } from '../../domain/generation.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { deleteAssetNow } from '../../stores/retention.ts';
import { madeFrom } from '../../stores/takedown-lineage.ts';

export interface RemovalDeps {
  orm: MikroORM;
  store: ObjectStore;
  temporal: TemporalClients;
}

export async function loadTakedown(orm: MikroORM, takedownId: string): Promise<TakedownRequest> {
  const row = await orm.em.fork().findOne(TakedownRequest, { id: takedownId });
  if (!row) throw ApplicationFailure.nonRetryable(`no take-down ${takedownId}`, 'TakedownNotFound');
  return row;
}

export function createRemovalActivities(deps: RemovalDeps) {
  const { orm } = deps;
  return {
    async removeTakenDownContent(takedownId: string): Promise<{ removed: number }> {
      const takedown = await loadTakedown(orm, takedownId);
      const em = orm.em.fork();
      const found = await madeFrom(
        { em, store: deps.store },
        { type: takedown.targetType, id: takedown.targetId },
      );
      const jobIds = [...found.jobIds];
      const assetIds = [...found.assetIds];
      // Out of every view first: nothing is shown or handed out from here on.
      if (jobIds.length)
        await em.nativeUpdate(GenerationJob, { id: { $in: jobIds }, takedownId: null }, { takedownId });
      if (assetIds.length)
        await em.nativeUpdate(Asset, { id: { $in: assetIds }, takedownId: null }, { takedownId });
      for (const job of jobIds.length ? await em.find(GenerationJob, { id: { $in: jobIds } }) : []) {
        if (!isTerminal(job.status))
          await requestGenerationCancel(deps.temporal.client, job.id, takedown.decidedBy ?? 'takedown');
      }
      const removed: TakedownRemoval[] = [];
      const assets = assetIds.length ? await em.find(Asset, { id: { $in: assetIds } }) : [];
      for (const asset of assets) {
        Context.current().heartbeat({ removed: removed.length });
        const outcome =
          asset.status === 'pending'
            ? null
            : await deleteAssetNow(deps, asset, {
                reason: 'takedown',
                requestedBy: takedown.decidedBy ?? null,
              });
        removed.push({
          assetId: asset.id,
          kind: asset.kind,
          jobId: asset.jobId ?? null,
          proofId: outcome?.status === 'deleted' ? outcome.proofId : null,
          deferredByHold: outcome?.status === 'deferred',
        });
      }
      await em.nativeUpdate(
        TakedownRequest,
        { id: takedownId },
        { removed, removedAt: takedown.removedAt ?? new Date() },
      );
      if (!takedown.removedAt) {
        await recordAudit(em, {
          action: 'takedown.removed',
          actorRole: 'system',
          targetType: 'takedown',
          targetId: takedownId,
          subjectUserId: takedown.owner ?? null,
          details: {
            jobs: jobIds.length,
            assets: removed.length,
            deferredByHold: removed.filter((r) => r.deferredByHold).length,
          },
        });
      }
      return { removed: removed.length };
    },
  };
}
