// Images and videos moderated on the box (S-MOD) and a person's decision on request
// (D-ADM), through the real upload path, the real generation workflow and the real
// classifier (nsfwjs's model in its own process). The "explicit" image is a synthetic pattern the
// model scores as Porn (tests/fixtures/moderation/make-explicit-fixture.ts): no explicit
// material is shipped, and the thresholds under test are the production ones.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Asset,
  AuditEvent,
  DeletionProof,
  GenerationJob,
  ModerationReview,
} from '../../db/entities/index.ts';
import { IMAGE_CLASSIFIER, IMAGE_THRESHOLDS } from '../../domain/moderation.ts';
import { defaultFfmpegPath } from '../../providers/local.ts';
import { creditBalance, jobCredits } from '../../stores/billing.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import { objectsUnder, uploadBytes } from '../support/assets.ts';
import {
  createJob,
  jobRequest,
  startGenerationHarness,
  waitForJob,
  type GenerationHarness,
} from '../support/generation.ts';
import { json } from '../support/http.ts';
import { waitForMail } from '../support/mail.ts';

const run = promisify(execFile);
const EXPLICIT_PNG = fileURLToPath(new URL('../fixtures/moderation/explicit-pattern.png', import.meta.url));

let h: GenerationHarness;
let support: TestAccount;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-moderation-test-'));
  h = await startGenerationHarness();
  support = await signedIn(h.platform, { role: 'support', mfa: true });
  // The first image scored loads the model: not inside a test's own time.
  await h.platform.clients.classifier.ready();
});
afterAll(async () => {
  await h?.stop();
  await rm(dir, { recursive: true, force: true });
});
const em = () => h.platform.clients.orm.em.fork();

/** A benign picture: ffmpeg's test pattern. */
async function benignPng(): Promise<Buffer> {
  const out = path.join(dir, 'benign.png');
  await run(defaultFfmpegPath(), [
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240',
    '-frames:v',
    '1',
    out,
  ]);
  return readFile(out);
}

/** A 3-second H.264 video of the explicit-scoring pattern, as a provider would hand it out. */
async function explicitMp4(): Promise<Buffer> {
  const out = path.join(dir, 'explicit.mp4');
  await run(defaultFfmpegPath(), [
    '-y',
    '-loglevel',
    'error',
    '-loop',
    '1',
    '-i',
    EXPLICIT_PNG,
    '-t',
    '3',
    '-r',
    '24',
    '-vf',
    'scale=640:360',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    out,
  ]);
  return readFile(out);
}

const lumaJob = (prompt: string) =>
  jobRequest({ modelId: 'luma-ray-flash-2', prompt, durationSeconds: 5, resolution: '540p' });

describe('uploaded images', () => {
  it('[S-MOD] answers an image the classifier cannot read 422 image_unreadable, and keeps none of it', async () => {
    const { client, user } = await signedIn(h.platform, { credits: 100 });
    // A PNG's signature and header, then nothing of the picture.
    const damaged = (await benignPng()).subarray(0, 64);
    const res = await uploadBytes(h.platform, client, damaged);
    expect(res.status).toBe(422);
    expect((await json(res)).error.code).toBe('image_unreadable');
    expect(await em().count(Asset, { user: user.id })).toBe(0);
    expect(await objectsUnder(h.platform, `users/${user.id}/`)).toEqual({ keys: [], multipart: 0 });
  });

  it('[S-MOD] refuses an explicit-scoring image and passes a benign one, by the classifier, in the upload path, with the scores recorded', async () => {
    const { client } = await signedIn(h.platform, { credits: 100 });
    const benign = await json(await uploadBytes(h.platform, client, await benignPng()));
    expect(benign.moderation).toMatchObject({ status: 'passed', reviewRequestable: false });
    const benignRow = await em().findOneOrFail(Asset, { id: benign.id });
    expect(benignRow.moderationScores).toMatchObject({ frames: 1, classifier: IMAGE_CLASSIFIER });
    expect(benignRow.moderationScores!.scores.Porn).toBeLessThan(IMAGE_THRESHOLDS.upload.review.Porn!);

    const res = await uploadBytes(h.platform, client, await readFile(EXPLICIT_PNG));
    expect(res.status).toBe(201);
    const refused = await json(res);
    expect(refused.moderation).toMatchObject({ status: 'refused', reviewRequestable: true });
    const row = await em().findOneOrFail(Asset, { id: refused.id });
    expect(row.moderationScores!.scores.Porn).toBeGreaterThanOrEqual(IMAGE_THRESHOLDS.upload.refuse.Porn!);
    const audit = await em().findOneOrFail(AuditEvent, {
      action: 'asset.moderation_refused',
      targetId: refused.id,
    });
    expect(audit.details).toMatchObject({ source: 'upload', categories: ['sexual_explicit'] });

    // A refused image can be neither used nor handed out; the benign one can.
    const withImage = (assetId: string) =>
      jobRequest({
        modelId: 'runway-gen4-turbo',
        durationSeconds: 5,
        resolution: '720p',
        inputs: [{ assetId, role: 'first_frame' }],
      });
    const refusedQuote = await client.post('/api/quotes', withImage(refused.id));
    expect(refusedQuote.status).toBe(400);
    expect((await json(refusedQuote)).error.fields[0].field).toBe('inputs.0.assetId');
    expect((await client.post('/api/quotes', withImage(benign.id))).status).toBe(201);
    const download = await client.get(`/api/assets/${refused.id}/download`);
    expect(download.status).toBe(409);
    expect((await json(download)).error.code).toBe('not_released');
  });

  it("[D-ADM] a refused image's owner asks for a person's review; the decision and reason are emailed and audited, and the image can be used", async () => {
    const { user, client } = await signedIn(h.platform, { credits: 100 });
    const refused = await json(await uploadBytes(h.platform, client, await readFile(EXPLICIT_PNG)));
    const asked = await client.post(`/api/assets/${refused.id}/review-request`, {
      note: 'an abstract painting of mine',
    });
    expect(asked.status).toBe(201);
    expect((await json(asked)).moderation).toMatchObject({
      reviewRequestable: false,
      review: { status: 'pending', kind: 'requested' },
    });
    expect((await client.post(`/api/assets/${refused.id}/review-request`, {})).status).toBe(409);

    const queue = await json(await support.client.get('/api/moderation/queue'));
    const item = queue.uploads.find((u: { assetId: string }) => u.assetId === refused.id);
    expect(item).toMatchObject({ kind: 'requested', note: 'an abstract painting of mine' });
    expect(item.scores.Porn).toBeGreaterThanOrEqual(IMAGE_THRESHOLDS.upload.refuse.Porn!);
    // Seeing it in the queue is a look at the person's file, in their audit trail.
    expect(
      await em().count(AuditEvent, {
        action: 'staff.viewed_asset',
        targetId: refused.id,
        actorId: support.user.id,
        subjectUserId: user.id,
      }),
    ).toBeGreaterThanOrEqual(1);
    const media = await json(await support.client.get(`/api/moderation/reviews/${item.reviewId}/media`));
    expect((await fetch(media.url)).status).toBe(200);

    const decided = await support.client.post(`/api/moderation/uploads/${refused.id}/decision`, {
      approve: true,
      reason: 'an abstract pattern, nothing explicit in it',
    });
    expect(decided.status).toBe(200);
    const mail = await waitForMail(user.email, /approved your request/);
    expect(mail.text).toContain('an abstract pattern, nothing explicit in it');
    expect(
      await em().count(AuditEvent, {
        action: 'moderation.approved',
        targetId: refused.id,
        actorId: support.user.id,
      }),
    ).toBe(1);
    const now = await json(await client.get(`/api/assets/${refused.id}`));
    expect(now.moderation).toMatchObject({
      status: 'approved',
      review: { status: 'approved', reason: 'an abstract pattern, nothing explicit in it' },
    });
    expect((await client.get(`/api/assets/${refused.id}/download`)).status).toBe(200);
    // Decided once: a second decision is refused.
    expect(
      (
        await support.client.post(`/api/moderation/uploads/${refused.id}/decision`, {
          approve: false,
          reason: 'again',
        })
      ).status,
    ).toBe(409);
  });
});

describe('refused jobs', () => {
  it("[D-ADM] [S-MOD] a creator whose job was refused automatically asks for a person's review from the job; approved, it runs at the quoted price and the decision is emailed", async () => {
    const { user, client } = await signedIn(h.platform, { credits: 100 });
    const refused = await waitForJob(
      client,
      (
        await json(
          await createJob(client, jobRequest({ prompt: 'a deepfake of my neighbour giving a speech' })),
        )
      ).id,
    );
    expect(refused).toMatchObject({
      status: 'rejected',
      failure: { code: 'moderation_refused' },
      reviewRequestable: true,
      review: null,
    });

    const asked = await client.post(`/api/jobs/${refused.id}/review-request`, {
      note: 'my neighbour agreed, it is a birthday joke',
    });
    expect(asked.status).toBe(201);
    const view = await json(asked);
    expect(view).toMatchObject({
      reviewRequestable: false,
      review: { status: 'pending', kind: 'requested' },
    });
    const rerunId = view.review.jobId as string;
    expect((await client.post(`/api/jobs/${refused.id}/review-request`, {})).status).toBe(409);
    const waiting = await json(await client.get(`/api/jobs/${rerunId}`));
    expect(waiting).toMatchObject({
      status: 'awaiting_review',
      reviewOfJobId: refused.id,
      credits: { quoted: refused.credits.quoted },
    });
    // The quoted price is reserved while the person decides.
    expect(await creditBalance(em(), user.id)).toBe(100 - refused.credits.quoted);

    const queue = await json(await support.client.get('/api/moderation/queue'));
    expect(queue.jobs.find((j: { id: string }) => j.id === rerunId)).toMatchObject({
      kind: 'requested',
      subject: 'prompt',
      note: 'my neighbour agreed, it is a birthday joke',
      reviewOfJobId: refused.id,
    });
    const decided = await support.client.post(`/api/moderation/jobs/${rerunId}/decision`, {
      approve: true,
      reason: 'consent shown; a harmless joke',
    });
    expect(decided.status).toBe(200);

    const done = await waitForJob(client, rerunId);
    expect(done).toMatchObject({
      status: 'succeeded',
      credits: { quoted: refused.credits.quoted, charged: refused.credits.quoted },
    });
    expect(await jobCredits(em(), rerunId)).toEqual({
      reserved: refused.credits.quoted,
      captured: refused.credits.quoted,
      released: 0,
    });
    const mail = await waitForMail(user.email, /approved your request/);
    expect(mail.text).toContain('consent shown; a harmless joke');
    const original = await json(await client.get(`/api/jobs/${refused.id}`));
    expect(original.review).toMatchObject({
      status: 'approved',
      reason: 'consent shown; a harmless joke',
      jobId: rerunId,
    });
    for (const action of ['moderation.review_requested', 'moderation.approved']) {
      expect(await em().count(AuditEvent, { action, subjectUserId: user.id })).toBe(1);
    }
  });

  it('[D-ADM] a review a person rejects ends the re-run with the credits back, and says why', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 100 });
    const refused = await waitForJob(
      client,
      (await json(await createJob(client, jobRequest({ prompt: 'a deepfake of a stranger' })))).id,
    );
    const rerunId = (await json(await client.post(`/api/jobs/${refused.id}/review-request`, {}))).review
      .jobId;
    await support.client.post(`/api/moderation/jobs/${rerunId}/decision`, {
      approve: false,
      reason: 'no consent shown',
    });
    expect(await waitForJob(client, rerunId)).toMatchObject({
      status: 'rejected',
      failure: { code: 'review_rejected' },
    });
    expect(await creditBalance(em(), user.id)).toBe(100);
    expect((await waitForMail(user.email, /reviewed your request/)).text).toContain('no consent shown');
  });
});

describe('generated videos', () => {
  it('[S-MOD] scores frames of every generated video before release: a benign render passes at once', async () => {
    const { client } = await signedIn(h.platform, { credits: 100 });
    const done = await waitForJob(client, (await json(await createJob(client, jobRequest()))).id);
    expect(done.status).toBe('succeeded');
    const output = await em().findOneOrFail(Asset, { id: done.output.assetId });
    expect(output.moderation).toBe('passed');
    expect(output.moderationScores!.frames).toBeGreaterThanOrEqual(2);
    // The copy the frames were read from is gone with the activity that made it, and so
    // is the render's (the API and the worker share this process's scratch folder).
    expect(await readdir(h.platform.clients.scratch.home)).toEqual([]);
  });

  it('[S-MOD] holds a video whose frames score as explicit for a review before release: not downloadable until a person releases it', async () => {
    h.simulator.setVideo(await explicitMp4());
    try {
      const { user, client } = await signedIn(h.platform, { credits: 200 });
      const job = await json(await createJob(client, lumaJob('a studio portrait, soft light')));
      const held = await waitForJob(client, job.id, {
        until: (j) => j.status === 'awaiting_review' || j.status === 'succeeded' || j.status === 'failed',
        timeoutMs: 90_000,
      });
      expect(held).toMatchObject({ status: 'awaiting_review', output: null });
      expect(held.message).toMatch(/held for a review/);
      const row = await em().findOneOrFail(GenerationJob, { id: job.id });
      const output = await em().findOneOrFail(Asset, { id: row.outputAssetId! });
      expect(output).toMatchObject({ status: 'stored', moderation: 'held' });
      expect(output.moderationScores!.frames).toBeGreaterThanOrEqual(3);
      expect(output.moderationScores!.scores.Porn).toBeGreaterThanOrEqual(
        IMAGE_THRESHOLDS.output.review.Porn!,
      );
      expect((await client.get(`/api/assets/${output.id}/download`)).status).toBe(409);

      const queue = await json(await support.client.get('/api/moderation/queue'));
      const item = queue.jobs.find((j: { id: string }) => j.id === job.id);
      expect(item).toMatchObject({ kind: 'held', subject: 'output' });
      expect(item.scores.Porn).toBeGreaterThanOrEqual(IMAGE_THRESHOLDS.output.review.Porn!);
      await support.client.post(`/api/moderation/jobs/${job.id}/decision`, {
        approve: true,
        reason: 'abstract colours only',
      });
      const released = await waitForJob(client, job.id);
      expect(released).toMatchObject({ status: 'succeeded', output: { assetId: output.id } });
      expect((await client.get(`/api/assets/${output.id}/download`)).status).toBe(200);
      expect((await waitForMail(user.email, /approved your request/)).text).toContain(
        'abstract colours only',
      );

      // Refused by the person: the video is deleted with proof and the credits come back.
      const second = await json(await createJob(client, lumaJob('a second portrait')));
      await waitForJob(client, second.id, {
        until: (j) => j.status === 'awaiting_review',
        timeoutMs: 90_000,
      });
      await support.client.post(`/api/moderation/jobs/${second.id}/decision`, {
        approve: false,
        reason: 'explicit',
      });
      expect(await waitForJob(client, second.id)).toMatchObject({
        status: 'rejected',
        failure: { code: 'review_rejected' },
        credits: { charged: 0 },
      });
      const secondOutput = (await em().findOneOrFail(GenerationJob, { id: second.id })).outputAssetId!;
      expect(await em().findOneOrFail(Asset, { id: secondOutput })).toMatchObject({
        status: 'deleted',
        moderation: 'rejected',
        deletionReason: 'moderation',
      });
      expect(await em().count(DeletionProof, { assetId: secondOutput, reason: 'moderation' })).toBe(1);
      expect(await em().count(ModerationReview, { jobId: second.id, decidedAt: { $ne: null } })).toBe(1);
    } finally {
      h.simulator.setVideo(null);
    }
  }, 180_000);
});
