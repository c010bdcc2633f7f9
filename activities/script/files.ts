// Storing what a run makes: a local file becomes an asset under an id derived from the
// revision (so a retry writes the same object and row), its row written before its
// bytes, hashed as stored, and its retention workflow started where it is stored. A
// voice track or subtitles file is an intermediate (R-INTERMEDIATE): at most the policy
// table's 7 days while no final video uses it, then exactly as long as the final video.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { startRetention } from '../../clients/retention.ts';
import type { Config } from '../../config/index.ts';
import { Asset } from '../../db/entities/index.ts';
import { assetDeleteAt, assetObjectKey, type AssetKind } from '../../domain/retention.ts';
import { MEDIA_ATTEMPTS, SCRIPT_FAILURE_TYPES } from '../../domain/script.ts';
import { abortUnfinishedUploads, uploadFile } from '../../platform/objects.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { Scratch } from '../../platform/scratch.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { storageFailure, type StoringTries } from '../storing.ts';

export interface FileDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  scratch: Scratch;
}

export interface StoredFile {
  assetId: string;
  objectKey: string;
  deleteAt: Date;
}

/** How many tries the voice track and the composition get (activities/storing.ts). */
export function mediaTries(config: Config): StoringTries {
  return {
    attempts: MEDIA_ATTEMPTS,
    storeWaitMs: config.durations.mediaStoreWaitMs,
    spentType: SCRIPT_FAILURE_TYPES.mediaFailed,
  };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The asset if a previous attempt already stored it. */
export async function storedAsset(orm: MikroORM, assetId: string): Promise<Asset | null> {
  return orm.em.fork().findOne(Asset, { id: assetId, status: 'stored' });
}

/**
 * Stores `file` as the asset `assetId` of `kind`, and starts its retention. `deleteAt`
 * overrides the policy table's (subtitles made with their final video share its time).
 */
export async function storeFile(
  deps: FileDeps,
  input: {
    assetId: string;
    userId: string;
    kind: AssetKind;
    file: string;
    contentType: string;
    deleteAt?: Date;
  },
): Promise<StoredFile> {
  const { orm } = deps;
  const objectKey = assetObjectKey(input.userId, input.kind, input.assetId);
  const already = await storedAsset(orm, input.assetId);
  if (!already) {
    const em = orm.em.fork();
    // The row exists before the first byte reaches the store: no object is ever unaccounted for.
    await em.upsert(
      Asset,
      {
        id: input.assetId,
        user: input.userId,
        kind: input.kind,
        status: 'pending',
        objectKey,
        contentType: input.contentType,
        createdAt: new Date(),
      },
      { onConflictFields: ['id'], onConflictAction: 'ignore' },
    );
    const row = await em.fork().findOneOrFail(Asset, { id: input.assetId });
    if (row.status !== 'pending') {
      // Deleted meanwhile (the run was cancelled): never write its bytes again.
      throw ApplicationFailure.nonRetryable(
        `asset ${input.assetId} is ${row.status}`,
        SCRIPT_FAILURE_TYPES.mediaInvalid,
      );
    }
    // A killed earlier attempt may have left an unfinished upload of this very key.
    try {
      await abortUnfinishedUploads(deps.store, objectKey);
      await uploadFile(deps.store, objectKey, input.file, input.contentType);
    } catch (err) {
      throw storageFailure(err);
    }
    const storedAt = new Date();
    await em.nativeUpdate(
      Asset,
      { id: input.assetId, status: 'pending' },
      {
        status: 'stored',
        sizeBytes: (await stat(input.file)).size,
        sha256: await sha256Of(input.file),
        storedAt,
        deleteAt: input.deleteAt ?? assetDeleteAt(input.kind, storedAt, deps.config.durations.retentionMs),
      },
    );
  }
  const asset = await orm.em.fork().findOneOrFail(Asset, { id: input.assetId });
  await startRetention(deps.temporal.client, asset);
  return { assetId: asset.id, objectKey: asset.objectKey, deleteAt: asset.deleteAt! };
}
