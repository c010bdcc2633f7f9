// Data access and portability exports (D-ACCESS, D-PORT): one ZIP archive per request
// in object storage with every category as JSON and CSV and a readable summary, the
// videos for portability, an owner-only link and an email; and a worker killed in the
// middle of writing the archive, replaced, with nothing done twice. The worker runs in
// its own process here, so the test can kill it.
import { createHash, randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { EXPORT_CATEGORIES } from '../../activities/rights-request/categories.ts';
import { Asset, AuditEvent } from '../../db/entities/index.ts';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { signedIn } from '../support/accounts.ts';
import type { TestClient } from '../support/client.ts';
import { media, objectsUnder, storeAsset, uploadBytes, waitForDeleted } from '../support/assets.ts';
import { createJob, jobRequest, waitForJob } from '../support/generation.ts';
import { json } from '../support/http.ts';
import { waitForMail } from '../support/mail.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createTestNamespace } from '../support/temporal.ts';
import {
  countMails,
  killWorker,
  parseCsv,
  requestAndVerify,
  startChildWorker,
  unzip,
  waitForRequestStatus,
} from './rights-request.support.ts';

let platform: TestPlatform;
let env: Record<string, string>;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  const stackEnv = inject('stackEnv');
  env = { ...stackEnv, TEMPORAL_NAMESPACE: await createTestNamespace(stackEnv.TEMPORAL_ADDRESS!, 'export') };
  platform = await startTestPlatform({ workers: false, env });
  worker = startChildWorker(env);
});
afterAll(async () => {
  await killWorker(worker);
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();
const READY = /export is ready/i;

async function downloadExport(client: TestClient, assetId: string) {
  const link = await client.get(`/api/assets/${assetId}/download`);
  expect(link.status).toBe(200);
  const { url } = await json(link);
  return unzip(Buffer.from(await (await fetch(url)).arrayBuffer()));
}

describe('data exports', () => {
  it('[D-ACCESS] gives one archive with every category as JSON and CSV and a readable summary, by an owner-only link, and emails the owner', async () => {
    const me = await signedIn(platform, { credits: 50, name: 'Ada Export' });
    const upload = await uploadBytes(platform, me.client, await media('png'), { filename: 'face.png' });
    expect(upload.status).toBe(201);
    await me.client.put('/api/consents', { analytics: true, marketingEmail: true, source: 'settings' });
    await me.client.post('/api/analytics/events', {
      events: [{ type: 'page_view', name: 'studio', path: '/create' }],
    });
    const job = await json(
      await createJob(me.client, jobRequest({ prompt: '=SUM(A1) a lighthouse at dusk' })),
    );
    expect((await waitForJob(me.client, job.id)).status).toBe('succeeded');

    const request = await requestAndVerify(me.client, me.user.email, {
      type: 'access',
      jurisdiction: 'GDPR',
    });
    const done = await waitForRequestStatus(platform, request.id, ['completed']);
    const mail = await waitForMail(me.user.email, READY);
    expect(mail.text).toContain(`/privacy/requests/${request.id}`);
    const view = await json(await me.client.get(`/api/privacy/requests/${request.id}`));
    expect(view.status).toBe('completed');
    expect(view.progress.steps.every((s: { state: string }) => s.state === 'done')).toBe(true);
    expect(view.export.assetId).toBe(done.resultAssetId);

    // The archive is an asset of kind export with its own short retention, running.
    const asset = await em().findOneOrFail(Asset, { id: view.export.assetId });
    expect(asset).toMatchObject({
      kind: 'export',
      status: 'stored',
      user: me.user.id,
      contentType: 'application/zip',
    });
    expect(asset.deleteAt!.getTime() - asset.storedAt!.getTime()).toBe(RETENTION_POLICY.export.keepMs);
    const retention = platform.clients.temporal.client.workflow.getHandle(workflowIds.retention(asset.id));
    expect((await retention.describe()).status.name).toBe('RUNNING');
    // Owner only: anyone else's link answers like an unknown file.
    const other = await signedIn(platform);
    expect((await other.client.get(`/api/assets/${asset.id}/download`)).status).toBe(404);

    const entries = await downloadExport(me.client, asset.id);
    const byName = new Map(entries.map((e) => [e.name, e.data]));
    for (const category of EXPORT_CATEGORIES) {
      const rows = JSON.parse(byName.get(`data/${category.name}.json`)!.toString('utf8')) as unknown[];
      const csv = parseCsv(byName.get(`data/${category.name}.csv`)!.toString('utf8'));
      expect(csv.length, category.name).toBe(rows.length + 1);
      expect(csv[0]!.length).toBe(category.columns.length);
    }
    const data = (name: string) => JSON.parse(byName.get(`data/${name}.json`)!.toString('utf8')) as any[];
    expect(data('profile')[0]).toMatchObject({
      id: me.user.id,
      email: me.user.email,
      name: 'Ada Export',
      dateOfBirth: '1990-05-17',
    });
    expect(data('jobs')[0]).toMatchObject({
      id: job.id,
      prompt: '=SUM(A1) a lighthouse at dusk',
      status: 'succeeded',
    });
    expect(data('jobs')[0].parameters.durationSeconds).toBe(2);
    expect(
      data('consents')
        .map((c) => c.purpose)
        .sort(),
    ).toEqual(['analytics', 'marketing_email']);
    expect(data('sessions')[0].ipAddress).toBe(me.client.ip);
    expect(data('analytics')).toHaveLength(1);
    expect(
      data('files')
        .map((f) => f.kind)
        .sort(),
    ).toEqual(expect.arrayContaining(['input', 'output']));
    expect(data('credit-ledger').map((l) => l.kind)).toEqual(
      expect.arrayContaining(['grant', 'reserve', 'capture']),
    );
    expect(data('audit-events').map((a) => a.action)).toEqual(
      expect.arrayContaining(['privacy.request_verified', 'job.created']),
    );
    expect(data('privacy-requests').map((r) => r.id)).toContain(request.id);
    expect(data('emails').map((e) => e.message)).toContain('request_verification_code');
    // A prompt is data, never a spreadsheet formula.
    expect(byName.get('data/jobs.csv')!.toString()).toContain("'=SUM(A1)");
    const readme = byName.get('README.txt')!.toString('utf8');
    for (const rule of Object.values(RETENTION_POLICY)) expect(readme).toContain(rule.period);
    expect(readme).toContain('Purpose:');
    expect(readme).toContain('Source:');
    expect(readme).toContain('WHO RECEIVED YOUR DATA');
    expect(entries.some((e) => e.name.startsWith('videos/'))).toBe(false);
    expect(await em().count(AuditEvent, { action: 'privacy.export_ready', targetId: request.id })).toBe(1);
  }, 90_000);

  it('[D-PORT] adds the generated videos still stored, byte for byte, and leaves out deleted ones', async () => {
    const me = await signedIn(platform, { credits: 50 });
    const job = await json(await createJob(me.client, jobRequest()));
    const finished = await waitForJob(me.client, job.id);
    const gone = await storeAsset(platform, me.user.id, { kind: 'output' });
    expect((await me.client.delete(`/api/assets/${gone.id}`)).status).toBe(202);
    await waitForDeleted(platform, gone.id);

    const request = await requestAndVerify(me.client, me.user.email, {
      type: 'portability',
      jurisdiction: 'other',
    });
    const done = await waitForRequestStatus(platform, request.id, ['completed']);
    const entries = await downloadExport(me.client, done.resultAssetId!);
    const videos = entries.filter((e) => e.name.startsWith('videos/'));
    expect(videos.map((v) => v.name)).toEqual([`videos/${finished.output.assetId}.mp4`]);
    const output = await em().findOneOrFail(Asset, { id: finished.output.assetId });
    expect(createHash('sha256').update(videos[0]!.data).digest('hex')).toBe(output.sha256);
    expect(entries.map((e) => e.name)).toEqual(
      expect.arrayContaining(['data/jobs.json', 'data/profile.csv', 'README.txt']),
    );
    expect(entries.find((e) => e.name === 'README.txt')!.data.toString()).toContain('videos/ (1)');
  }, 90_000);

  it('[D-PORT] a worker killed while the archive is written is replaced, and the export finishes once: one object, one row, one email', async () => {
    const me = await signedIn(platform);
    const VIDEOS = 24;
    const stored: Asset[] = [];
    for (let i = 0; i < VIDEOS; i++) {
      stored.push(
        await storeAsset(platform, me.user.id, { kind: 'output', bytes: randomBytes(4 * 1024 * 1024) }),
      );
    }
    const request = await requestAndVerify(me.client, me.user.email, {
      type: 'portability',
      jurisdiction: 'GDPR',
    });
    const prefix = `users/${me.user.id}/exports/`;
    const key = `${prefix}${request.id}`;
    // Killed while its multipart upload is under way: part of the archive is in the store.
    // (MinIO lists multipart uploads by their exact key.)
    const deadline = Date.now() + 60_000;
    while ((await objectsUnder(platform, key)).multipart === 0) {
      if (Date.now() > deadline) throw new Error('the archive upload never started');
      await sleep(20);
    }
    await killWorker(worker);
    const killedAt = Date.now();
    expect((await objectsUnder(platform, prefix)).keys).toEqual([]);
    worker = startChildWorker(env);

    const done = await waitForRequestStatus(platform, request.id, ['completed'], 120_000);
    expect(Date.now() - killedAt).toBeGreaterThan(1000);
    expect((await objectsUnder(platform, prefix)).keys).toEqual([key]);
    expect((await objectsUnder(platform, key)).multipart).toBe(0);
    expect(await em().count(Asset, { user: me.user.id, kind: 'export' })).toBe(1);
    const entries = await downloadExport(me.client, done.resultAssetId!);
    const videos = entries.filter((e) => e.name.startsWith('videos/'));
    expect(videos).toHaveLength(VIDEOS);
    const expected = new Set(stored.map((a) => `videos/${a.id}.mp4`));
    expect(videos.every((v) => expected.has(v.name) && v.data.length === 4 * 1024 * 1024)).toBe(true);
    // The workflow has ended: every step (the email among them) is done and none runs again.
    const handle = platform.clients.temporal.client.workflow.getHandle(workflowIds.rightsRequest(request.id));
    await handle.result();
    await waitForMail(me.user.email, READY);
    expect(await countMails(me.user.email, READY)).toBe(1);
    expect(await em().count(AuditEvent, { action: 'privacy.export_ready', targetId: request.id })).toBe(1);
    // The archive activity really was tried again on the new worker.
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? [])
      .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0)
      .filter((n) => n > 0);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
