import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Asset, AuditEvent, DeletionProof, LegalHold } from '../../db/entities/index.ts';
import { DAY, SECOND } from '../../domain/time.ts';
import { createRetentionActivities } from '../../activities/retention.ts';
import { deleteAssetNow } from '../../stores/retention.ts';
import { retentionStateQuery } from '../../workflows/retention.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import {
  eventually,
  loadAsset,
  objectExists,
  retentionStarted,
  storeAsset,
  waitForDeleted,
} from '../support/assets.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { scaledDurations } from '../support/durations.ts';

// Outputs are kept about 2.3 s here (uploads 10 s): the policy table, scaled by configuration.
const TIME_SCALE = String((10 * SECOND) / (30 * DAY));

let platform: TestPlatform;
let legal: TestAccount;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { DURATION_OVERRIDES: scaledDurations(TIME_SCALE) } });
  legal = await signedIn(platform, { role: 'legal', mfa: true });
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();
const state = (assetId: string) =>
  platform.clients.temporal.client.workflow.getHandle(`retention-${assetId}`).query(retentionStateQuery);
/** Time enough for the asset's timer to fire and its workflow to act on it. */
const pastDeleteAt = (asset: Asset) => Math.max(0, asset.deleteAt!.getTime() - Date.now()) + 10_000;
const REASON = 'Litigation hold: matter 2026-CV-0042, preserve all media';

async function placeHold(body: { userId?: string; assetId?: string; reason?: string }) {
  const res = await legal.client.post('/api/legal/holds', { reason: REASON, ...body });
  expect(res.status).toBe(201);
  return json(res);
}
async function releaseHold(id: string) {
  const res = await legal.client.post(`/api/legal/holds/${id}/release`, { reason: 'Matter settled' });
  expect(res.status).toBe(200);
  return json(res);
}

describe('legal holds', () => {
  it('[R-HOLD] a hold on one file stops its deletion when the timer fires, and its release resumes it', async () => {
    const owner = await signedIn(platform);
    const asset = await storeAsset(platform, owner.user.id, { kind: 'output' });
    const hold = await placeHold({ assetId: asset.id });
    expect(hold).toMatchObject({ scope: 'asset', assetId: asset.id, active: true, reason: REASON });
    // A placement tells no workflow: every deletion checks the holds where it happens.
    expect(hold.workflowsSignalled).toBe(0);

    await eventually(
      async () => (await state(asset.id)).deferrals === 1,
      pastDeleteAt(asset),
      'deferral recorded',
    );
    expect(await objectExists(platform, asset.objectKey)).toBe(true);
    expect(await state(asset.id)).toMatchObject({ status: 'held', holds: [hold.id], reason: 'timer' });
    expect((await loadAsset(platform, asset.id))!.status).toBe('deleting');
    const deferral = await em().findOneOrFail(AuditEvent, {
      action: 'asset.deletion_deferred',
      targetId: asset.id,
    });
    expect(deferral.details).toMatchObject({ reason: 'timer', holdIds: [hold.id] });

    // The owner sees that a hold keeps the file, never why; cannot download it past its time.
    const listed = await owner.client.get('/api/assets');
    const listedText = await listed.text();
    expect(JSON.parse(listedText).assets[0]).toMatchObject({ id: asset.id, legalHold: true });
    expect(listedText).not.toContain('Litigation');
    expect((await owner.client.get(`/api/assets/${asset.id}/download`)).status).toBe(410);

    const releasedAt = Date.now();
    const released = await releaseHold(hold.id);
    expect(released).toMatchObject({
      active: false,
      releaseReason: 'Matter settled',
      releasedBy: legal.user.id,
    });
    const deleted = await waitForDeleted(platform, asset.id, 10_000);
    expect(deleted.deletionReason).toBe('timer');
    expect(deleted.deletedAt!.getTime()).toBeGreaterThanOrEqual(releasedAt);
    expect(await objectExists(platform, asset.objectKey)).toBe(false);
    expect(await em().count(DeletionProof, { assetId: asset.id })).toBe(1);
    for (const action of ['legal.hold_placed', 'legal.hold_released']) {
      const event = await em().findOneOrFail(AuditEvent, { action, targetId: hold.id });
      expect(event).toMatchObject({ actorId: legal.user.id, subjectUserId: owner.user.id });
      expect(JSON.stringify(event.details)).not.toContain('Litigation');
    }
  });

  it('[R-HOLD] a hold on a person covers their files, including those stored while it lasts', async () => {
    const owner = await signedIn(platform);
    const bystander = await signedIn(platform);
    const before = await storeAsset(platform, owner.user.id, { kind: 'output' });
    const hold = await placeHold({ userId: owner.user.id });
    expect(hold.workflowsSignalled).toBe(0);
    const during = await storeAsset(platform, owner.user.id, { kind: 'output' });
    const notCovered = await storeAsset(platform, bystander.user.id, { kind: 'output' });

    await waitForDeleted(platform, notCovered.id, pastDeleteAt(notCovered));
    for (const asset of [before, during]) {
      await eventually(async () => (await state(asset.id)).status === 'held', pastDeleteAt(asset), 'held');
      expect(await objectExists(platform, asset.objectKey)).toBe(true);
    }
    const list = await json(await owner.client.get('/api/assets'));
    expect(list.assets.every((a: { legalHold: boolean }) => a.legalHold)).toBe(true);

    await releaseHold(hold.id);
    for (const asset of [before, during]) {
      const deleted = await waitForDeleted(platform, asset.id, 10_000);
      expect(await objectExists(platform, deleted.objectKey)).toBe(false);
    }
  });

  it('[R-HOLD] [R-IN-EARLY] a delete-now request during a hold is deferred, recorded, and carried out at release', async () => {
    const owner = await signedIn(platform);
    const asset = await storeAsset(platform, owner.user.id, { kind: 'input' }); // 10 s timer
    const hold = await placeHold({ userId: owner.user.id });
    const result = await deleteAssetNow(platform.clients, asset, { reason: 'account_deletion' });
    expect(result).toEqual({ status: 'deferred', holdIds: [hold.id] });
    await eventually(async () => (await state(asset.id)).deferrals === 1, 10_000, 'deferral recorded');
    expect(await state(asset.id)).toMatchObject({ status: 'held', reason: 'account_deletion' });
    expect(await objectExists(platform, asset.objectKey)).toBe(true);

    await releaseHold(hold.id);
    const deleted = await waitForDeleted(platform, asset.id, 10_000);
    expect(deleted.deletionReason).toBe('account_deletion');
    // Well before its timer: the request was waiting only for the hold.
    expect(deleted.deletedAt!.getTime()).toBeLessThan(asset.deleteAt!.getTime());
  });

  it("[R-HOLD] [R-IN-EARLY] a person's deletion asked during a hold is remembered, said so, and carried out at the release", async () => {
    const owner = await signedIn(platform);
    const asset = await storeAsset(platform, owner.user.id, { kind: 'input' }); // 10 s timer
    const hold = await placeHold({ assetId: asset.id });
    const asked = await owner.client.delete(`/api/assets/${asset.id}`);
    expect(asked.status).toBe(202);
    expect(await json(asked)).toMatchObject({ id: asset.id, legalHold: true, deletionDeferred: true });
    await eventually(async () => (await state(asset.id)).deferrals === 1, 10_000, 'deferral recorded');
    expect(await state(asset.id)).toMatchObject({ status: 'held', reason: 'user', holds: [hold.id] });
    expect(await objectExists(platform, asset.objectKey)).toBe(true);
    // Asked again, it stays one request and one deferral.
    expect((await owner.client.delete(`/api/assets/${asset.id}`)).status).toBe(202);

    const released = await releaseHold(hold.id);
    expect(released.workflowsSignalled).toBe(1);
    const deleted = await waitForDeleted(platform, asset.id, 10_000);
    expect(deleted.deletionReason).toBe('user');
    // Carried out at the release, long before the file's own timer.
    expect(deleted.deletedAt!.getTime()).toBeLessThan(asset.deleteAt!.getTime());
    expect(await objectExists(platform, asset.objectKey)).toBe(false);
    expect(await em().count(DeletionProof, { assetId: asset.id })).toBe(1);
    expect(await em().count(AuditEvent, { action: 'asset.deletion_deferred', targetId: asset.id })).toBe(1);
  });

  it('[R-HOLD] the deletion activity checks the database itself and defers a held file', async () => {
    const owner = await signedIn(platform);
    const asset = await storeAsset(platform, owner.user.id, { kind: 'input' });
    await retentionStarted(platform, asset.id);
    // A hold the retention workflow was never told about (its signal lost).
    const holdId = randomUUID();
    await em().insert(LegalHold, {
      id: holdId,
      assetId: asset.id,
      reason: REASON,
      placedBy: legal.user.id,
      placedAt: new Date(),
    });
    const activities = createRetentionActivities(platform.clients);
    const attempt = await activities.deleteAssetObject({
      assetId: asset.id,
      userId: owner.user.id,
      kind: 'input',
      objectKey: asset.objectKey,
      reason: 'timer',
      requestedAt: new Date().toISOString(),
    });
    expect(attempt).toEqual({ status: 'deferred', holdIds: [holdId] });
    expect(await objectExists(platform, asset.objectKey)).toBe(true);

    // The workflow's own timer hits the same check, learns of the hold and waits for it.
    await eventually(
      async () => (await state(asset.id)).status === 'held',
      pastDeleteAt(asset),
      'held after refusal',
    );
    expect((await state(asset.id)).holds).toEqual([holdId]);
    expect(await objectExists(platform, asset.objectKey)).toBe(true);
    await releaseHold(holdId);
    await waitForDeleted(platform, asset.id, 10_000);
  }, 60_000);

  it('[R-HOLD] [R-PROOF] a due file finds every hold on it and on its owner, even once its row has lost the owner; released, it is deleted once', async () => {
    const owner = await signedIn(platform);
    const asset = await storeAsset(platform, owner.user.id, { kind: 'input' });
    const dueAt = asset.deleteAt!.toISOString();
    const hold = async (target: { userId?: string; assetId?: string }, placedAt: Date) => {
      const id = randomUUID();
      await em().insert(LegalHold, { id, ...target, reason: REASON, placedBy: legal.user.id, placedAt });
      return id;
    };
    const onOwner = await hold({ userId: owner.user.id }, new Date(Date.now() - 60_000));
    const onFile = await hold({ assetId: asset.id }, new Date());
    const activities = createRetentionActivities(platform.clients);
    const timer = (userId: string | null) =>
      activities.deleteAssetObject({
        assetId: asset.id,
        userId,
        kind: 'input',
        objectKey: asset.objectKey,
        reason: 'timer',
        requestedAt: new Date().toISOString(),
        dueAt,
      });
    expect(await timer(owner.user.id)).toEqual({ status: 'deferred', holdIds: [onOwner, onFile] });
    // The row no longer names its owner and neither does the request: the object's key does.
    await em().nativeUpdate(Asset, { id: asset.id }, { user: null });
    await em().nativeUpdate(LegalHold, { id: onFile }, { releasedAt: new Date(), releasedBy: legal.user.id });
    expect(await timer(null)).toEqual({ status: 'deferred', holdIds: [onOwner] });
    expect(await objectExists(platform, asset.objectKey)).toBe(true);

    await em().nativeUpdate(
      LegalHold,
      { id: onOwner },
      { releasedAt: new Date(), releasedBy: legal.user.id },
    );
    const first = await timer(null);
    expect(first).toMatchObject({ status: 'deleted', reason: 'timer', objectExisted: true });
    expect(await objectExists(platform, asset.objectKey)).toBe(false);
    // Again (a retried task): the first proof, nothing new recorded.
    expect(await timer(null)).toEqual(first);
    expect(await em().count(DeletionProof, { assetId: asset.id })).toBe(1);
    expect((await loadAsset(platform, asset.id))?.status).toBe('deleted');
  }, 60_000);

  it('lets only the legal team and admins manage holds, and validates what they send', async () => {
    const owner = await signedIn(platform);
    const asset = await storeAsset(platform, owner.user.id, { kind: 'input' });
    for (const role of ['operator', 'support'] as const) {
      const staff = await signedIn(platform, { role, mfa: true });
      expect(
        (await staff.client.post('/api/legal/holds', { assetId: asset.id, reason: REASON })).status,
      ).toBe(403);
      expect((await staff.client.get('/api/legal/holds')).status).toBe(403);
    }
    expect((await owner.client.post('/api/legal/holds', { assetId: asset.id, reason: REASON })).status).toBe(
      403,
    );
    const noMfa = await signedIn(platform, { role: 'legal' });
    const mfaRefused = await noMfa.client.post('/api/legal/holds', { assetId: asset.id, reason: REASON });
    expect((await json(mfaRefused)).error.code).toBe('mfa_required');

    const both = await legal.client.post('/api/legal/holds', {
      assetId: asset.id,
      userId: owner.user.id,
      reason: REASON,
    });
    expect(both.status).toBe(400);
    expect((await legal.client.post('/api/legal/holds', { assetId: asset.id })).status).toBe(400);
    expect(
      (await legal.client.post('/api/legal/holds', { assetId: randomUUID(), reason: REASON })).status,
    ).toBe(404);

    const admin = await signedIn(platform, { role: 'admin', mfa: true });
    const placed = await admin.client.post('/api/legal/holds', { assetId: asset.id, reason: REASON });
    expect(placed.status).toBe(201);
    const hold = await json(placed);
    const active = await json(await legal.client.get(`/api/legal/holds?assetId=${asset.id}&active=true`));
    expect(active.holds.map((h: { id: string }) => h.id)).toEqual([hold.id]);
    await releaseHold(hold.id);
    const again = await legal.client.post(`/api/legal/holds/${hold.id}/release`, { reason: 'twice' });
    expect(again.status).toBe(409);
    const inactive = await json(await legal.client.get(`/api/legal/holds?assetId=${asset.id}&active=false`));
    expect(inactive.holds[0]).toMatchObject({ id: hold.id, active: false });
    expect(
      (await legal.client.post(`/api/legal/holds/${randomUUID()}/release`, { reason: 'none' })).status,
    ).toBe(404);
  });
});
