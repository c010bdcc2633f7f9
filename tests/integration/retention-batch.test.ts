// Due deletions in batches (stores/retention-batch.ts): the local activities of timers
// that fire together share one round of statements and store requests, and each
// deletion is still fully proven on its own (R-PROOF), or deferred (R-HOLD), or fails alone.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRetentionActivities } from '../../activities/retention.ts';
import { Asset, DeletionProof, LegalHold } from '../../db/entities/index.ts';
import { verifyAuditChain } from '../../platform/audit.ts';
import { deleteDueAssets, type DueDeletionRequest } from '../../stores/retention-batch.ts';
import { verifyDeletionProof } from '../../stores/retention-proof.ts';
import { createAccount } from '../support/accounts.ts';
import { objectExists, storeAsset } from '../support/assets.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();

/** Stored files of one new person, due now, with no retention workflow (the test is the timer). */
async function dueFiles(count: number): Promise<{ userId: string; requests: DueDeletionRequest[] }> {
  const user = await createAccount(platform);
  const requests: DueDeletionRequest[] = [];
  for (let i = 0; i < count; i++) {
    const asset = await storeAsset(platform, user.id, {
      kind: 'output',
      bytes: Buffer.from(`file ${i}`),
      retention: false,
    });
    requests.push({
      assetId: asset.id,
      userId: user.id,
      kind: 'output',
      objectKey: asset.objectKey,
      reason: 'timer',
      requestedAt: new Date().toISOString(),
      dueAt: asset.deleteAt!.toISOString(),
    });
  }
  return { userId: user.id, requests };
}

interface EventRow {
  id: string;
  chain: number;
  occurred_at: string;
  target_id: string;
  proof_id: string;
}
const deletionEvents = (assetIds: string[]) =>
  em().execute<EventRow[]>(
    `select id::text as id, chain, occurred_at, target_id, details->>'proofId' as proof_id
       from audit_events where action = 'asset.deleted' and target_id in (?) order by id`,
    [assetIds],
  );

describe('due deletions in batches', () => {
  it('[R-PROOF] [S-AUDIT] timers firing together are deleted in one batch: each object gone, each with its own verified proof and event', async () => {
    const { requests } = await dueFiles(12);
    const ids = requests.map((r) => r.assetId);
    const activities = createRetentionActivities(platform.clients);
    // As twelve local activities started together by twelve timers' tasks.
    const outcomes = await Promise.all(requests.map((r) => activities.deleteAssetObject(r)));

    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome).toMatchObject({ status: 'deleted', reason: 'timer', objectExisted: true });
      expect(await objectExists(platform, requests[i]!.objectKey)).toBe(false);
    }
    const assets = await em().find(Asset, { id: { $in: ids } });
    expect(assets.map((a) => [a.status, a.deletionReason])).toEqual(ids.map(() => ['deleted', 'timer']));
    const proofs = await em().find(DeletionProof, { assetId: { $in: ids } });
    expect(proofs).toHaveLength(12);
    for (const proof of proofs) {
      expect(verifyDeletionProof(proof)).toBe(true);
      expect(proof.sizeBytes).toBeGreaterThan(0);
    }
    const proofIds = outcomes.map((o) => (o.status === 'deleted' ? o.proofId : null));
    expect(proofs.map((p) => p.id).sort()).toEqual([...proofIds].sort());

    // One event each, naming its proof; written by one transaction: one chain, one time.
    const events = await deletionEvents(ids);
    expect(events.map((e) => e.proof_id).sort()).toEqual([...proofIds].sort());
    expect(new Set(events.map((e) => e.chain)).size).toBe(1);
    expect(new Set(events.map((e) => new Date(e.occurred_at).getTime())).size).toBe(1);
    expect(await verifyAuditChain(em())).toMatchObject({ ok: true });

    // A retried task: the same proofs, nothing new written.
    expect(await Promise.all(requests.map((r) => activities.deleteAssetObject(r)))).toEqual(outcomes);
    expect(await deletionEvents(ids)).toHaveLength(12);
  }, 60_000);

  it('[R-PROOF] [R-HOLD] in a batch a held file is deferred, a deleted one keeps its proof, and one the database refuses fails alone', async () => {
    const { userId, requests } = await dueFiles(5);
    const [plain, alsoPlain, held, earlier, refused] = requests as [
      DueDeletionRequest,
      DueDeletionRequest,
      DueDeletionRequest,
      DueDeletionRequest,
      DueDeletionRequest,
    ];
    const holdId = randomUUID();
    await em().insert(LegalHold, {
      id: holdId,
      assetId: held.assetId,
      reason: 'Preservation notice 2026-17',
      placedBy: userId,
      placedAt: new Date(),
    });
    const [before] = await deleteDueAssets(platform.clients, [earlier]);
    expect(before).toMatchObject({ status: 'fulfilled', value: { status: 'deleted' } });
    const earlierProof = (before as PromiseFulfilledResult<{ proofId: string }>).value.proofId;

    // `requested_by` must be an account's id: the batch's proof statement fails on this one.
    const bad = { ...refused, reason: 'user' as const, requestedBy: 'not-an-account' };
    const results = await deleteDueAssets(platform.clients, [plain, held, earlier, bad, alsoPlain]);
    expect(results[0]).toMatchObject({
      status: 'fulfilled',
      value: { status: 'deleted', objectExisted: true },
    });
    expect(results[1]).toEqual({ status: 'fulfilled', value: { status: 'deferred', holdIds: [holdId] } });
    expect(results[2]).toMatchObject({
      status: 'fulfilled',
      value: { status: 'deleted', proofId: earlierProof },
    });
    expect(results[3]).toMatchObject({ status: 'rejected' });
    expect(results[4]).toMatchObject({
      status: 'fulfilled',
      value: { status: 'deleted', objectExisted: true },
    });
    expect(await objectExists(platform, held.objectKey)).toBe(true);
    expect((await em().findOneOrFail(Asset, { id: held.assetId })).status).toBe('deleting');

    // The refused one's object went, its proof did not: its retry proves it gone.
    expect((await em().findOneOrFail(Asset, { id: refused.assetId })).status).toBe('deleting');
    const [retried] = await deleteDueAssets(platform.clients, [refused]);
    expect(retried).toMatchObject({
      status: 'fulfilled',
      value: { status: 'deleted', objectExisted: false },
    });

    const ids = requests.map((r) => r.assetId);
    const proofs = await em().find(DeletionProof, { assetId: { $in: ids } });
    expect(proofs.map((p) => p.assetId).sort()).toEqual(ids.filter((id) => id !== held.assetId).sort());
    expect(proofs.every(verifyDeletionProof)).toBe(true);
    expect((await deletionEvents(ids)).map((e) => e.target_id).sort()).toEqual(
      ids.filter((id) => id !== held.assetId).sort(),
    );
    expect(await verifyAuditChain(em())).toMatchObject({ ok: true });
  }, 60_000);
});
