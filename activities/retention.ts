// The retention workflow's one activity: deleting the object with proof, or recording
// that a legal hold defers it (stores/retention.ts), or, for an intermediate file a newer
// final video re-uses, the later time it is now due (R-INTERMEDIATE). Run as a local
// activity inside the workflow task the timer fires, so a due object costs one task, not three.
// The deletions of timers that fire together go in batches (stores/retention-batch.ts):
// a deletion waits a moment for others (or for the batch being written), then goes with
// the others that waited, in one round of statements and store requests.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/index.ts';
import { DUE_DELETION_LINGER_MS, DUE_DELETIONS_PER_BATCH, dueDeletionsAtOnce } from '../domain/retention.ts';
import { groupCommit } from '../platform/group-commit.ts';
import type { ObjectStore } from '../platform/s3.ts';
import { deleteAsset, type AssetDeletionRequest } from '../stores/retention.ts';
import { deleteDueAssets, type DueDeletion, type DueDeletionRequest } from '../stores/retention-batch.ts';

/** What a due object's deletion came to; `postponed` only for an intermediate whose time moved. */
export type RetentionOutcome = DueDeletion;

export function createRetentionActivities(deps: {
  orm: MikroORM;
  store: ObjectStore;
  config: Pick<Config, 'database'>;
}) {
  const deleteDue = groupCommit((inputs: DueDeletionRequest[]) => deleteDueAssets(deps, inputs), {
    maxBatch: DUE_DELETIONS_PER_BATCH,
    lingerMs: DUE_DELETION_LINGER_MS,
    // No use waiting once every deletion the worker runs at once is waiting.
    startAt: dueDeletionsAtOnce(deps.config.database.poolMax),
  });
  return {
    /** Idempotent by asset id: a repeat returns the first proof. */
    async deleteAssetObject(input: AssetDeletionRequest & { dueAt?: string }): Promise<RetentionOutcome> {
      if (input.reason === 'timer' && input.dueAt) return deleteDue({ ...input, dueAt: input.dueAt });
      return deleteAsset(deps, input);
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
