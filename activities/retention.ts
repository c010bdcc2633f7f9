// The retention workflow's one activity: deleting the object with proof, or recording
// that a legal hold defers it (stores/retention.ts). Run as a local activity inside the
// workflow task the timer fires, so a due object costs one task, not three.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ObjectStore } from '../platform/s3.ts';
import { deleteAsset, type AssetDeletion, type AssetDeletionRequest } from '../stores/retention.ts';

export function createRetentionActivities(deps: { orm: MikroORM; store: ObjectStore }) {
  return {
    /** Idempotent by asset id: a repeat returns the first proof. */
    deleteAssetObject(input: AssetDeletionRequest): Promise<AssetDeletion> {
      return deleteAsset(deps, input);
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
