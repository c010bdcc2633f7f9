import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Asset, AuditEvent, DeletionProof, LegalHold, Session } from '../../db/entities/index.ts';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import {
  ORPHAN_SWEEP_INTERVAL_MS,
  OVERDUE_SWEEP_INTERVAL_MS,
  SCHEDULE_IDS,
  SESSION_LOG_SWEEP_INTERVAL_MS,
  assetObjectKey,
} from '../../domain/retention.ts';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { DAY, HOUR } from '../../domain/time.ts';
import { verifyDeletionProof } from '../../stores/retention-proof.ts';
import { ensureSweepSchedules } from '../../worker/schedules.ts';
import {
  orphanSweepWorkflow,
  sessionLogSweepWorkflow,
  type OrphanSweepInput,
} from '../../workflows/sweeps.ts';
import { createAccount } from '../support/accounts.ts';
import { eventually, objectExists, storeAsset } from '../support/assets.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();
const client = () => platform.clients.temporal.client;
const ago = (ms: number) => new Date(Date.now() - ms);

function runOrphanSweep(input: OrphanSweepInput) {
  return client().workflow.execute(orphanSweepWorkflow, {
    taskQueue: TASK_QUEUES.system,
    workflowId: `test-orphan-sweep-${randomUUID()}`,
    args: [input],
  });
}

async function putObject(key: string) {
  const { store } = platform.clients;
  await store.client.send(
    new PutObjectCommand({
      Bucket: store.bucket,
      Key: key,
      Body: Buffer.from('bytes'),
      ServerSideEncryption: store.serverSideEncryption,
    }),
  );
}

describe('session log sweep', () => {
  it('[R-SESSION-30D] deletes session logs (IP, browser, times) last used more than 30 days ago', async () => {
    expect(RETENTION_POLICY.sessionLog.keepMs).toBe(30 * DAY);
    const user = await createAccount(platform);
    const session = (lastSeenAt: Date) =>
      em().insert(Session, {
        id: randomUUID(),
        user: user.id,
        tokenHash: randomUUID().replaceAll('-', '').padEnd(64, '0'),
        createdAt: lastSeenAt,
        lastSeenAt,
        expiresAt: new Date(lastSeenAt.getTime() + 7 * DAY),
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (test)',
      });
    const old = await session(ago(30 * DAY + HOUR));
    const recent = await session(ago(30 * DAY - HOUR));
    const current = await session(new Date());

    const result = await client().workflow.execute(sessionLogSweepWorkflow, {
      taskQueue: TASK_QUEUES.system,
      workflowId: `test-session-sweep-${randomUUID()}`,
    });
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    expect(Date.now() - new Date(result.cutoff).getTime()).toBeGreaterThanOrEqual(30 * DAY);
    expect(Date.now() - new Date(result.cutoff).getTime()).toBeLessThan(30 * DAY + 60_000);
    const left = (await em().find(Session, { user: user.id })).map((s) => s.id).sort();
    expect(left).toEqual([recent, current].sort());
    expect(left).not.toContain(old);
    const audit = await em().find(
      AuditEvent,
      { action: 'sessions.logs_swept' },
      { orderBy: { id: 'desc' }, limit: 1 },
    );
    expect(audit[0]!.details).toMatchObject({ policy: 'R-SESSION-30D' });
    expect(JSON.stringify(audit[0]!.details)).not.toContain('203.0.113.7');
  });
});

describe('orphan sweep', () => {
  it('deletes objects no live row accounts for, with proof, and reports rows whose object is missing', async () => {
    const owner = await createAccount(platform);
    const prefix = `users/${owner.id}/`;
    const live = await storeAsset(platform, owner.id, { kind: 'output' });

    const strayKey = assetObjectKey(owner.id, 'input', randomUUID());
    await putObject(strayKey);
    // An object whose row says it was deleted (it came back, or its deletion half-failed).
    const deletedRow = await storeAsset(platform, owner.id, { kind: 'output' });
    await em().nativeUpdate(Asset, { id: deletedRow.id }, { status: 'deleted', deletedAt: new Date() });
    await client()
      .workflow.getHandle(`retention-${deletedRow.id}`)
      .terminate('test: row marked deleted by hand');
    // A stored row, old enough to judge, with no object behind it.
    const missingId = randomUUID();
    await em().insert(Asset, {
      id: missingId,
      user: owner.id,
      kind: 'input',
      status: 'stored',
      objectKey: assetObjectKey(owner.id, 'input', missingId),
      createdAt: ago(2 * HOUR),
      storedAt: ago(2 * HOUR),
      deleteAt: new Date(Date.now() + DAY),
    });
    // An upload in flight: a pending row, its bytes partly there. Never an orphan, never missing.
    const pendingId = randomUUID();
    await em().insert(Asset, {
      id: pendingId,
      user: owner.id,
      kind: 'input',
      status: 'pending',
      objectKey: assetObjectKey(owner.id, 'input', pendingId),
      createdAt: ago(2 * HOUR),
    });
    await putObject(assetObjectKey(owner.id, 'input', pendingId));

    // Within the grace period nothing is judged.
    const young = await runOrphanSweep({ prefix, graceMs: 3 * HOUR });
    expect(young).toMatchObject({ orphansDeleted: 0, orphansHeld: 0, missing: 0 });
    expect(await objectExists(platform, strayKey)).toBe(true);

    const result = await runOrphanSweep({ prefix, graceMs: 0 });
    expect(result).toMatchObject({ scanned: 4, orphansDeleted: 2, orphansHeld: 0, missing: 1 });
    expect(await objectExists(platform, strayKey)).toBe(false);
    expect(await objectExists(platform, deletedRow.objectKey)).toBe(false);
    expect(await objectExists(platform, live.objectKey)).toBe(true);
    expect(await objectExists(platform, assetObjectKey(owner.id, 'input', pendingId))).toBe(true);
    expect((await em().findOneOrFail(Asset, { id: missingId })).status).toBe('missing');
    expect((await em().findOneOrFail(Asset, { id: live.id })).status).toBe('stored');
    expect(await em().count(AuditEvent, { action: 'storage.object_missing', targetId: missingId })).toBe(1);

    const proofs = await em().find(DeletionProof, { ownerId: owner.id, reason: 'orphan' });
    expect(proofs.map((p) => p.objectKey).sort()).toEqual([strayKey, deletedRow.objectKey].sort());
    for (const proof of proofs) {
      expect(proof).toMatchObject({ objectExisted: true, verification: 'HeadObject: 404 Not Found' });
      expect(verifyDeletionProof(proof)).toBe(true);
    }
    expect(await em().count(AuditEvent, { action: 'storage.orphan_deleted', subjectUserId: owner.id })).toBe(
      2,
    );

    // A second run finds nothing new: the missing row is reported once.
    expect(await runOrphanSweep({ prefix, graceMs: 0 })).toMatchObject({ orphansDeleted: 0, missing: 0 });
  });

  it('[R-HOLD] leaves an orphan in place while a legal hold covers its owner', async () => {
    const owner = await createAccount(platform);
    const key = assetObjectKey(owner.id, 'output', randomUUID());
    await putObject(key);
    await em().insert(LegalHold, {
      id: randomUUID(),
      userId: owner.id,
      reason: 'Preserve everything',
      placedBy: owner.id,
      placedAt: new Date(),
    });
    const result = await runOrphanSweep({ prefix: `users/${owner.id}/`, graceMs: 0 });
    expect(result).toMatchObject({ orphansDeleted: 0, orphansHeld: 1 });
    expect(await objectExists(platform, key)).toBe(true);
  });

  it('refuses to sweep outside the asset prefix', async () => {
    await expect(runOrphanSweep({ prefix: 'diagnostics/', graceMs: 0 })).rejects.toBeInstanceOf(
      WorkflowFailedError,
    );
  });
});

describe('sweep schedules', () => {
  it('[R-SESSION-30D] schedules each sweep at the interval named in domain/, idempotently, and runs it', async () => {
    // The worker created them on start; creating again changes nothing.
    await ensureSweepSchedules(client());
    const expected = [
      [SCHEDULE_IDS.sessionLogSweep, 'sessionLogSweepWorkflow', SESSION_LOG_SWEEP_INTERVAL_MS],
      [SCHEDULE_IDS.orphanSweep, 'orphanSweepWorkflow', ORPHAN_SWEEP_INTERVAL_MS],
      [SCHEDULE_IDS.overdueSweep, 'overdueAssetSweepWorkflow', OVERDUE_SWEEP_INTERVAL_MS],
    ] as const;
    for (const [id, workflowType, every] of expected) {
      const description = await client().schedule.getHandle(id).describe();
      expect(description.spec.intervals?.[0]?.every).toBe(every);
      expect(description.action).toMatchObject({ workflowType, taskQueue: TASK_QUEUES.system });
      expect(description.policies.overlap).toBe('SKIP');
    }
    const ids: string[] = [];
    for await (const s of client().schedule.list()) ids.push(s.scheduleId);
    expect(ids.filter((id) => id.startsWith('sweep-')).sort()).toEqual(
      [SCHEDULE_IDS.orphanSweep, SCHEDULE_IDS.overdueSweep, SCHEDULE_IDS.sessionLogSweep].sort(),
    );

    // A session log past its time, for the scheduled run to find.
    const user = await createAccount(platform);
    const stale = randomUUID();
    const lastSeenAt = ago(30 * DAY + HOUR);
    await em().insert(Session, {
      id: stale,
      user: user.id,
      tokenHash: randomUUID().replaceAll('-', '').padEnd(64, '0'),
      createdAt: lastSeenAt,
      lastSeenAt,
      expiresAt: new Date(lastSeenAt.getTime() + 7 * DAY),
      ip: '203.0.113.9',
      userAgent: 'Mozilla/5.0 (test)',
    });
    const handle = client().schedule.getHandle(SCHEDULE_IDS.sessionLogSweep);
    await handle.trigger();
    const action = await eventually(
      async () => (await handle.describe()).info.recentActions[0]?.action,
      15_000,
      'scheduled sweep started',
    );
    const run = client().workflow.getHandle(action.workflow.workflowId);
    const result = (await run.result()) as { deleted: number };
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    expect(await em().count(Session, { id: stale })).toBe(0);
  });
});

describe('expired short-lived records', () => {
  it('removes expired price quotes and spent tokens, keeping live ones', async () => {
    const { createSweepActivities } = await import('../../activities/sweeps/index.ts');
    const { PriceQuote } = await import('../../db/entities/index.ts');
    const { createAccount } = await import('../support/accounts.ts');
    const owner = await createAccount(platform);
    const em = platform.clients.orm.em.fork();
    const old = em.create(PriceQuote, {
      user: owner.id,
      requestHash: 'a'.repeat(64),
      model: 'local-v1',
      credits: 2,
      createdAt: new Date(Date.now() - 3 * 86_400_000),
      expiresAt: new Date(Date.now() - 2 * 86_400_000),
    });
    const live = em.create(PriceQuote, {
      user: owner.id,
      requestHash: 'b'.repeat(64),
      model: 'local-v1',
      credits: 2,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 600_000),
    });
    await em.flush();
    const removed = await createSweepActivities(platform.clients).deleteExpiredEphemera();
    expect(removed.priceQuotes).toBeGreaterThanOrEqual(1);
    const left = await platform.clients.orm.em.fork().find(PriceQuote, { id: { $in: [old.id, live.id] } });
    expect(left.map((q) => q.id)).toEqual([live.id]);
  });
});
