// The safety net under the retention workflows: an asset still stored an hour past its
// delete-at (its workflow lost: never started, or gone with the engine's last writes) is
// deleted by the hourly overdue sweep as its timer would have, with proof, unless a legal
// hold covers it; once the hold is released, the next run deletes it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Asset, AuditEvent, DeletionProof, LegalHold } from '../../db/entities/index.ts';
import { SCHEDULE_IDS, type AssetKind } from '../../domain/retention.ts';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { DAY, MINUTE } from '../../domain/time.ts';
import { verifyDeletionProof } from '../../stores/retention-proof.ts';
import { overdueAssetSweepWorkflow } from '../../workflows/sweeps.ts';
import { createAccount } from '../support/accounts.ts';
import { objectExists, storeAsset } from '../support/assets.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { pauseSchedule } from '../support/schedules.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
  // This file's namespace has its own hourly sweep; paused, it cannot run between a
  // test's rows and the test's own run of the sweep.
  await pauseSchedule(platform.clients.temporal.client, SCHEDULE_IDS.overdueSweep);
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();
const ago = (ms: number) => new Date(Date.now() - ms);

/** An asset row and its object with no retention workflow behind them: the workflow was lost. */
function orphanedAsset(ownerId: string, kind: AssetKind, deleteAt: Date): Promise<Asset> {
  return storeAsset(platform, ownerId, { kind, storedAt: ago(40 * DAY), deleteAt, retention: false });
}

async function sweep(ownerId: string) {
  const handle = await platform.clients.temporal.client.workflow.start(overdueAssetSweepWorkflow, {
    taskQueue: TASK_QUEUES.system,
    workflowId: `test-overdue-sweep-${randomUUID()}`,
    args: [{ prefix: `users/${ownerId}/` }],
  });
  return { runId: handle.firstExecutionRunId, result: await handle.result() };
}

describe('overdue sweep', () => {
  it('[R-OUT-7D] [R-IN-30D] [R-PROOF] [R-HOLD] deletes what a lost retention workflow left, with proof, and only that', async () => {
    const owner = await createAccount(platform);
    const lostOutput = await orphanedAsset(owner.id, 'output', ago(DAY));
    const lostInput = await orphanedAsset(owner.id, 'input', ago(2 * DAY));
    // Ten minutes late is a workflow working through a backlog: not the sweep's to take.
    const late = await orphanedAsset(owner.id, 'output', ago(10 * MINUTE));
    const held = await orphanedAsset(owner.id, 'output', ago(DAY));
    const holdId = randomUUID();
    await em().insert(LegalHold, {
      id: holdId,
      assetId: held.id,
      reason: 'Preserve for litigation',
      placedBy: owner.id,
      placedAt: new Date(),
    });
    const current = await storeAsset(platform, owner.id, { kind: 'output' });

    const first = await sweep(owner.id);
    expect(first.result).toEqual({ overdue: 2, deleted: 2, held: 0 });
    for (const asset of [lostOutput, lostInput]) {
      expect(await objectExists(platform, asset.objectKey)).toBe(false);
      expect(await em().findOneOrFail(Asset, { id: asset.id })).toMatchObject({
        status: 'deleted',
        deletionReason: 'timer',
      });
      const proof = await em().findOneOrFail(DeletionProof, { assetId: asset.id });
      expect(proof).toMatchObject({ reason: 'timer', objectExisted: true, kind: asset.kind });
      expect(proof.verification).toBe('HeadObject: 404 Not Found');
      expect(verifyDeletionProof(proof)).toBe(true);
      const audit = await em().findOneOrFail(AuditEvent, { action: 'asset.deleted', targetId: asset.id });
      expect(audit.details).toMatchObject({ reason: 'timer', sweepId: first.runId });
    }
    for (const asset of [late, held, current]) {
      expect(await objectExists(platform, asset.objectKey)).toBe(true);
      expect((await em().findOneOrFail(Asset, { id: asset.id })).status).toBe('stored');
    }

    // A second run finds nothing new.
    expect((await sweep(owner.id)).result).toEqual({ overdue: 0, deleted: 0, held: 0 });

    // Released, the held asset goes with the next run, though no workflow waits for the release.
    await em().nativeUpdate(LegalHold, { id: holdId }, { releasedAt: new Date(), releasedBy: owner.id });
    expect((await sweep(owner.id)).result).toEqual({ overdue: 1, deleted: 1, held: 0 });
    expect(await objectExists(platform, held.objectKey)).toBe(false);
    expect(await objectExists(platform, current.objectKey)).toBe(true);
  });
});
