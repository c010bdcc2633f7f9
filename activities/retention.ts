// The retention workflow's one activity: deleting the object with proof, or recording
// that a legal hold defers it (stores/retention.ts), or, for an intermediate file a newer
// final video re-uses, the later time it is now due (R-INTERMEDIATE). Run as a local
// activity inside the workflow task the timer fires, so a due object costs one task, not three.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ObjectStore } from '../platform/s3.ts';
import {
  deleteAsset,
  deleteDueAsset,
  type AssetDeletion,
  type AssetDeletionRequest,
} from '../stores/retention.ts';

/** What a due object's deletion came to; `postponed` only for an intermediate whose time moved. */
export type RetentionOutcome = AssetDeletion | { status: 'postponed'; deleteAt: string };

export function createRetentionActivities(deps: { orm: MikroORM; store: ObjectStore }) {
  return {
    /** Idempotent by asset id: a repeat returns the first proof. */
    async deleteAssetObject(input: AssetDeletionRequest & { dueAt?: string }): Promise<RetentionOutcome> {
      if (input.reason === 'timer' && input.dueAt)
        return deleteDueAsset(deps, { ...input, dueAt: input.dueAt });
      return deleteAsset(deps, input);
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
