// Take-down requests (S-TAKEDOWN) on the real stack: anyone files one naming content by a
// link, a person of the legal team decides, and an upheld request removes the video, what
// was made from it (a revision and its video) and an export archive holding it, at once
// and with proofs; the creator is told why and answers; every step has its time.
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { startRetention } from '../../clients/retention.ts';
import { Asset, AuditEvent, DeletionProof, TakedownRequest } from '../../db/entities/index.ts';
import { assetDeleteAt, assetObjectKey } from '../../domain/retention.ts';
import { verifyDeletionProof } from '../../stores/retention-proof.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import { eventually, objectExists, storeAsset } from '../support/assets.ts';
import { TestClient } from '../support/client.ts';
import { createJob, jobRequest, waitForJob } from '../support/generation.ts';
import { json } from '../support/http.ts';
import { waitForMail } from '../support/mail.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let legal: TestAccount;
beforeAll(async () => {
  platform = await startTestPlatform();
  legal = await signedIn(platform, { role: 'legal', mfa: true });
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();

/** An export archive of the person, as the data export writes one: a ZIP in the store. */
async function exportArchive(userId: string, videoIds: string[]): Promise<Asset> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from('{"account":{}}'), 'data/account.json');
  for (const id of videoIds) zip.addBuffer(Buffer.from(`video ${id}`), `videos/${id}.mp4`);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const id = randomUUID();
  const objectKey = assetObjectKey(userId, 'export', id);
  const { store } = platform.clients;
  await store.client.send(
    new PutObjectCommand({
      Bucket: store.bucket,
      Key: objectKey,
      Body: body,
      ServerSideEncryption: store.serverSideEncryption,
    }),
  );
  const storedAt = new Date();
  const row = em();
  const asset = row.create(Asset, {
    id,
    user: userId,
    kind: 'export',
    status: 'stored',
    objectKey,
    contentType: 'application/zip',
    sizeBytes: body.length,
    createdAt: storedAt,
    storedAt,
    deleteAt: assetDeleteAt('export', storedAt, platform.config.durations.retentionMs),
  });
  await row.flush();
  await startRetention(platform.clients.temporal.client, asset);
  return asset;
}

async function fileAnonymously(body: Record<string, unknown>): Promise<Response> {
  const anonymous = new TestClient(platform.api.url);
  await anonymous.refreshCsrf();
  return anonymous.post('/api/takedowns', body);
}

const row = (id: string) => em().findOneOrFail(TakedownRequest, { id });

describe('take-down requests', () => {
  it('[S-TAKEDOWN] removes an upheld video, a revision made from it and an export holding it, at once with proofs; tells the creator why, who answers; every step with its time', async () => {
    const creator = await signedIn(platform, { credits: 100 });
    const first = await waitForJob(
      creator.client,
      (await json(await createJob(creator.client, jobRequest()))).id,
    );
    const revision = await waitForJob(
      creator.client,
      (
        await json(
          await createJob(creator.client, jobRequest({ parentJobId: first.id, revisionKind: 'variation' })),
        )
      ).id,
    );
    expect([first.status, revision.status]).toEqual(['succeeded', 'succeeded']);
    const holding = await exportArchive(creator.user.id, [first.output.assetId]);
    const unrelated = await exportArchive(creator.user.id, []);
    const link = (await json(await creator.client.get(`/api/assets/${first.output.assetId}/download`)))
      .url as string;

    const reporterEmail = `reporter-${randomUUID().slice(0, 8)}@example.test`;
    const filed = await fileAnonymously({
      reason: 'deepfake',
      content: link,
      details: 'This video shows my face without my consent.',
      email: reporterEmail,
    });
    expect(filed.status).toBe(201);
    const { id } = await json(filed);
    expect(await row(id)).toMatchObject({
      targetType: 'asset',
      targetId: first.output.assetId,
      owner: creator.user.id,
      status: 'awaiting_decision',
    });
    // Nothing is removed before a person decides.
    expect(
      await objectExists(platform, (await em().findOneOrFail(Asset, { id: first.output.assetId })).objectKey),
    ).toBe(true);

    const listed = await json(await legal.client.get('/api/legal/takedowns'));
    expect(listed.takedowns.find((t: { id: string }) => t.id === id)).toMatchObject({
      status: 'awaiting_decision',
      reporter: 'anonymous',
      reporterWantsOutcome: true,
    });
    expect((await creator.client.get('/api/legal/takedowns')).status).toBe(403);
    const decided = await legal.client.post(`/api/legal/takedowns/${id}/decision`, {
      uphold: true,
      reason: 'A real person, no consent: a deepfake.',
    });
    expect(decided.status).toBe(200);
    expect(
      (await legal.client.post(`/api/legal/takedowns/${id}/decision`, { uphold: false, reason: 'again' }))
        .status,
    ).toBe(409);

    const removed = await eventually(
      async () => {
        const r = await row(id);
        return r.status === 'awaiting_answer' ? r : undefined;
      },
      30_000,
      'the removal',
    );
    const gone = [first.output.assetId, revision.output.assetId, holding.id];
    expect(removed.removed.map((r) => r.assetId)).toEqual(expect.arrayContaining(gone));
    expect(removed.removed.map((r) => r.assetId)).not.toContain(unrelated.id);
    for (const assetId of gone) {
      const asset = await em().findOneOrFail(Asset, { id: assetId });
      expect(asset).toMatchObject({ status: 'deleted', deletionReason: 'takedown', takedownId: id });
      expect(await objectExists(platform, asset.objectKey)).toBe(false);
      const proof = await em().findOneOrFail(DeletionProof, { assetId, reason: 'takedown' });
      expect(verifyDeletionProof(proof)).toBe(true);
      expect(removed.removed.find((r) => r.assetId === assetId)!.proofId).toBe(proof.id);
    }
    expect(await em().findOneOrFail(Asset, { id: unrelated.id })).toMatchObject({
      status: 'stored',
      takedownId: null,
    });
    // Out of every view: the jobs show the take-down and no video; the link is dead.
    for (const jobId of [first.id, revision.id]) {
      const view = await json(await creator.client.get(`/api/jobs/${jobId}`));
      expect(view).toMatchObject({
        output: null,
        takenDown: { reason: expect.stringContaining('deepfake') },
      });
    }
    expect((await creator.client.get(`/api/assets/${first.output.assetId}/download`)).status).toBe(410);
    expect([403, 404]).toContain((await fetch(link)).status);

    const mail = await waitForMail(creator.user.email, /removed after a take-down request/);
    expect(mail.text).toContain('A real person, no consent: a deepfake.');
    expect(mail.text).toContain(`/takedowns/${id}`);
    const notice = await json(await creator.client.get(`/api/takedowns/${id}`));
    expect(notice).toMatchObject({ decision: 'upheld', canAnswer: true });
    const other = await signedIn(platform);
    expect((await other.client.get(`/api/takedowns/${id}`)).status).toBe(404);
    const answered = await creator.client.post(`/api/takedowns/${id}/answer`, {
      answer: 'It is me in the video; I consented.',
    });
    expect(answered.status).toBe(200);

    const closed = await eventually(
      async () => {
        const r = await row(id);
        return r.status === 'closed' ? r : undefined;
      },
      20_000,
      'the close',
    );
    expect(closed.reporterEmail).toBeNull();
    expect((await waitForMail(reporterEmail, /take-down request was upheld/)).text).toContain(
      'A real person, no consent',
    );
    const times = [
      closed.filedAt,
      closed.decidedAt,
      closed.removedAt,
      closed.creatorNotifiedAt,
      closed.answeredAt,
      closed.closedAt,
    ];
    expect(times.every(Boolean)).toBe(true);
    const ms = times.map((t) => t!.getTime());
    expect([...ms].sort((a, b) => a - b)).toEqual(ms);
    const actions = (await em().find(AuditEvent, { targetId: id }, { orderBy: { id: 'asc' } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'takedown.filed',
        'takedown.upheld',
        'takedown.removed',
        'takedown.creator_notified',
        'takedown.answered',
        'takedown.closed',
      ]),
    );
    // The row says closed from the workflow's last activity; the workflow then ends.
    const workflow = platform.clients.temporal.client.workflow.getHandle(`takedown-${id}`);
    await workflow.result();
    expect((await workflow.describe()).status.name).toBe('COMPLETED');
  }, 120_000);

  it("[S-TAKEDOWN] a rejected request removes nothing, and the signed-in reporter's request is closed", async () => {
    const creator = await signedIn(platform);
    const video = await storeAsset(platform, creator.user.id, { kind: 'output' });
    const reporter = await signedIn(platform);
    const filed = await json(
      await reporter.client.post('/api/takedowns', {
        reason: 'copyright',
        content: video.id,
        details: 'It copies my film frame by frame.',
      }),
    );
    await legal.client.post(`/api/legal/takedowns/${filed.id}/decision`, {
      uphold: false,
      reason: 'No resemblance to the film named.',
    });
    const closed = await eventually(
      async () => {
        const r = await row(filed.id);
        return r.status === 'closed' ? r : undefined;
      },
      20_000,
      'the close',
    );
    expect(closed).toMatchObject({ decision: 'rejected', reporter: reporter.user.id, removed: [] });
    expect(await em().findOneOrFail(Asset, { id: video.id })).toMatchObject({
      status: 'stored',
      takedownId: null,
    });
    expect((await creator.client.get(`/api/takedowns/${filed.id}`)).status).toBe(404);
  });

  it('[S-TAKEDOWN] refuses a request that names nothing it can find', async () => {
    const res = await fileAnonymously({
      reason: 'illegal_content',
      content: 'https://example.test/somewhere',
      details: 'Please remove this video.',
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.fields[0].field).toBe('content');
  });
});
