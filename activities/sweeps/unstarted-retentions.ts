// Assets whose retention workflow Temporal did not answer while it did not
// (use-cases/retention-workflow.ts records them in `unstarted_retentions`): uploads kept
// without their workflow's start, and people's deletions not yet told. Here, in the same
// scheduled run as unstarted jobs, once Temporal answers, an upload's workflow is started
// with the delete-at the upload was given, and a deletion is sent with the start
// (signal-with-start): it wakes a workflow still waiting for its start delay, which a
// plain signal does not, and ends with the proof one whose file is deleted. An upload
// deleted meanwhile with nothing to tell is only let go. Each row is removed once
// Temporal answered for it.
import { requestRetentionDeletion, startRetention } from '../../clients/retention.ts';
import { Asset, UnstartedRetention } from '../../db/entities/index.ts';
import { startEach, waitingIn, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

export function createUnstartedRetentionActivities(deps: UnstartedSweepDeps) {
  return {
    async startUnstartedRetentions(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      // The assets the records of the batch being read name.
      const assets = new Map<string, Asset>();
      const read = async (offset: number) => {
        const waiting = await waitingIn(em, UnstartedRetention, deps.config, { failedAt: 'asc' }, offset);
        for (const asset of await em.find(Asset, { id: { $in: waiting.map((w) => w.asset) } }))
          assets.set(asset.id, asset);
        return waiting;
      };
      return startEach(read, {
        waits: (row) => {
          const asset = assets.get(row.asset);
          return Boolean(asset?.deleteAt) && (row.deletion !== null || asset?.status !== 'deleted');
        },
        start: (row) => {
          const asset = assets.get(row.asset)!;
          return row.deletion
            ? requestRetentionDeletion(deps.temporal.client, asset, row.deletion)
            : startRetention(deps.temporal.client, asset);
        },
        forget: (row) => em.nativeDelete(UnstartedRetention, { asset: row.asset }),
      });
    },
  };
}
