// What the platform does while its object store does not answer. The platform here
// reaches the stack's store through a pass-through that a test takes down (every
// connection reset, as a load balancer with no healthy store behind it does) and brings
// back. Nothing asked for while the store is down may be lost or left half done: a
// deletion is carried out once the store answers, an upload keeps nothing, and a job
// still ends, with its credits given back, instead of waiting on the store to clean up.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Asset, AuditEvent, CreditLedgerEntry, DeletionProof } from '../../db/entities/index.ts';
import { FAILURE_MESSAGES, OUTPUT_COPY_ATTEMPTS, RENDER_ATTEMPTS } from '../../domain/generation.ts';
import { MEDIA_ATTEMPTS, RUN_MESSAGES, STORAGE_UNAVAILABLE_DETAIL } from '../../domain/script.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { creditBalance } from '../../stores/billing.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import {
  eventually,
  loadAsset,
  media,
  objectExists,
  storeAsset,
  uploadBytes,
  waitForDeleted,
} from '../support/assets.ts';
import {
  activityPending,
  createJob,
  jobRequest,
  startGenerationHarness,
  stepPending,
  waitForJob,
} from '../support/generation.ts';
import type { GenerationHarness } from '../support/generation.ts';
import { json } from '../support/http.ts';
import { startOutage, type Outage } from '../support/outage.ts';
import { MEDIA_STEPS, runToMediaSteps, waitForProject } from '../support/script.ts';

let outage: Outage;
let h: GenerationHarness;
// The same, but a render, a copy or a script run's media step waits 1 ms for the store: how a job ends when an
// outage outlasts the wait.
let brief: GenerationHarness;
let creator: TestAccount;
beforeAll(async () => {
  outage = await startOutage(inject('stackEnv').S3_ENDPOINT!);
  h = await startGenerationHarness({ S3_ENDPOINT: outage.address });
  brief = await startGenerationHarness({
    S3_ENDPOINT: outage.address,
    DURATION_OVERRIDES: 'outputStoreWait=1,renderStoreWait=1,mediaStoreWait=1',
  });
  creator = await signedIn(h.platform, { credits: 50 });
});
afterEach(() => outage.up());
afterAll(async () => {
  outage?.up();
  await h?.stop();
  await brief?.stop();
  await outage?.close();
});
const em = () => h.platform.clients.orm.em.fork();
const proofOf = (assetId: string) => em().findOne(DeletionProof, { assetId });

describe('while the object store does not answer', () => {
  it('[R-IN-EARLY] [R-PROOF] a deletion asked for is accepted, the file no longer handed out, and deleted with proof once the store answers', async () => {
    const asset = await storeAsset(h.platform, creator.user.id, { kind: 'output' });
    outage.down();
    const res = await creator.client.delete(`/api/assets/${asset.id}`);
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ id: asset.id, status: 'deleting', deletionDeferred: false });
    expect(outage.reset).toBeGreaterThan(0);

    // Not handed out while it waits, and nothing claims it gone before it is.
    const link = await creator.client.get(`/api/assets/${asset.id}/download`);
    expect(link.status).toBeGreaterThanOrEqual(400);
    expect(await proofOf(asset.id)).toBeNull();
    const [requested] = await em().find(AuditEvent, {
      action: 'asset.deletion_requested',
      targetId: asset.id,
    });
    expect(requested?.details).toMatchObject({ deferred: false, waitingForStore: true });

    outage.up();
    const deleted = await waitForDeleted(h.platform, asset.id, 60_000);
    expect(deleted.deletionReason).toBe('user');
    expect(await objectExists(h.platform, asset.objectKey)).toBe(false);
    expect(await proofOf(asset.id)).toMatchObject({
      reason: 'user',
      requestedBy: creator.user.id,
      objectExisted: true,
    });
  });

  it('[R-IN-30D] an upload answers 503 storage_unavailable and keeps nothing; once the store answers, uploads are stored', async () => {
    const me = await signedIn(h.platform);
    outage.down();
    const refused = await uploadBytes(h.platform, me.client, await media('png'), { filename: 'a.png' });
    expect(refused.status).toBe(503);
    expect((await json(refused)).error.code).toBe('storage_unavailable');
    expect(await em().count(Asset, { user: me.user.id })).toBe(0);

    outage.up();
    const stored = await uploadBytes(h.platform, me.client, await media('png'), { filename: 'a.png' });
    expect(stored.status).toBe(201);
    expect(await em().count(Asset, { user: me.user.id })).toBe(1);
  });

  it('[R-OUT-7D] [R-PROOF] a file that falls due is deleted with proof once the store answers, never recorded deleted before', async () => {
    const asset = await storeAsset(h.platform, creator.user.id, {
      kind: 'output',
      deleteAt: new Date(Date.now() + 3_000),
    });
    outage.down();
    // Due, and tried: the row says deleting, and no proof exists while the store is down.
    await eventually(async () => (await loadAsset(h.platform, asset.id))?.status === 'deleting', 20_000);
    const resets = outage.reset;
    await eventually(async () => outage.reset > resets, 20_000, 'the deletion tried again');
    expect(await proofOf(asset.id)).toBeNull();

    outage.up();
    await waitForDeleted(h.platform, asset.id, 90_000);
    expect(await objectExists(h.platform, asset.objectKey)).toBe(false);
    expect(await proofOf(asset.id)).toMatchObject({ reason: 'timer', objectExisted: true });
  }, 150_000);

  it('a render whose upload the store fails waits for the store, past the attempts a render gets, and the job succeeds once it answers', async () => {
    const me = await signedIn(h.platform, { credits: 20 });
    outage.down();
    const created = await json(await createJob(me.client, jobRequest()));
    await activityPending(h.platform, created.id, 'renderLocal', RENDER_ATTEMPTS, 60_000);
    expect((await json(await me.client.get(`/api/jobs/${created.id}`))).status).toBe('running');

    outage.up();
    const done = await waitForJob(me.client, created.id, { timeoutMs: 90_000 });
    expect(done).toMatchObject({
      status: 'succeeded',
      failure: null,
      credits: { charged: created.credits.quoted },
    });
  }, 180_000);

  it('[R-TEMP] a job the store failed for longer than its render waits ends with its credits given back; its temporary file is deleted with proof once the store answers', async () => {
    const me = await signedIn(brief.platform, { credits: 20 });
    const em = () => brief.platform.clients.orm.em.fork();
    const before = await creditBalance(em(), me.user.id);
    outage.down();
    const created = await createJob(me.client, jobRequest());
    expect(created.status).toBe(201);
    const job = await waitForJob(me.client, (await json(created)).id, { timeoutMs: 60_000 });
    expect(job).toMatchObject({
      status: 'failed',
      credits: { charged: 0 },
      failure: { code: 'storage_unavailable', message: FAILURE_MESSAGES.storage_unavailable },
    });
    expect(await creditBalance(em(), me.user.id)).toBe(before);
    expect(await em().count(CreditLedgerEntry, { jobId: job.id, kind: 'release' })).toBe(1);

    const temp = await em().findOneOrFail(Asset, { jobId: job.id, kind: 'temp' });
    expect(temp.status).toBe('deleting');
    expect(await proofOf(temp.id)).toBeNull();
    outage.up();
    await waitForDeleted(brief.platform, temp.id, 60_000);
    expect(await proofOf(temp.id)).toMatchObject({ reason: 'job_finished' });
  }, 150_000);

  it("a script run's voice track and composition wait for the store, past the attempts they get, and the run makes its one video once it answers", async () => {
    const me = await signedIn(h.platform, { credits: 100 });
    // Its scenes made: what follows reads and writes the store.
    const project = await runToMediaSteps(me.client, 'Outage');
    outage.down();
    await stepPending(h.platform, workflowIds.script(project.id), MEDIA_STEPS, MEDIA_ATTEMPTS, 90_000);
    expect((await json(await me.client.get(`/api/scripts/${project.id}`))).status).toBe('running');

    outage.up();
    const done = await waitForProject(me.client, project.id, { timeoutMs: 120_000 });
    expect(done).toMatchObject({ status: 'ready', latestRevision: 1, message: null });
    const outputs = await em().find(Asset, { user: me.user.id, kind: 'output', status: 'stored' });
    expect(outputs.map((a) => a.id)).toContain(done.video!.assetId);
    expect(
      await objectExists(h.platform, (await loadAsset(h.platform, done.video!.assetId))!.objectKey),
    ).toBe(true);
  }, 300_000);

  it('a script run whose store stays down past its wait ends failed, its scenes kept, and says only that our storage did not answer', async () => {
    const me = await signedIn(brief.platform, { credits: 100 });
    const project = await runToMediaSteps(me.client, 'Gave up');
    const balance = await creditBalance(brief.platform.clients.orm.em.fork(), me.user.id);
    outage.down();
    const done = await waitForProject(me.client, project.id, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: 'incomplete', video: null, message: RUN_MESSAGES.failed });
    const [revision] = (await json(await me.client.get(`/api/scripts/${project.id}/revisions`))).revisions;
    expect(revision).toMatchObject({
      status: 'failed',
      message: `${RUN_MESSAGES.failed} (${STORAGE_UNAVAILABLE_DETAIL})`,
    });
    // The scenes were made and stay paid for: a new run keeps them at no charge.
    expect(done.scenes.every((scene: { clipAssetId: string | null }) => scene.clipAssetId !== null)).toBe(
      true,
    );
    expect(await creditBalance(brief.platform.clients.orm.em.fork(), me.user.id)).toBe(balance);
  }, 240_000);

  it("[R-OUT-7D] a provider's finished video waits for the store, past the attempts a download gets, and is stored and charged once it answers", async () => {
    const me = await signedIn(h.platform, { credits: 100 });
    outage.down();
    const created = await createJob(
      me.client,
      jobRequest({ modelId: 'luma-ray-flash-2', durationSeconds: 5 }),
    );
    expect(created.status).toBe(201);
    const { id, credits } = await json(created);
    // The copy has failed more times than a failing download may, and still waits.
    await activityPending(h.platform, id, 'storeOutput', OUTPUT_COPY_ATTEMPTS);
    expect((await json(await me.client.get(`/api/jobs/${id}`))).status).toBe('saving');

    outage.up();
    const done = await waitForJob(me.client, id, { timeoutMs: 90_000 });
    expect(done).toMatchObject({ status: 'succeeded', failure: null, credits: { charged: credits.quoted } });
    const output = await em().findOneOrFail(Asset, { id: done.output.assetId });
    expect(output.status).toBe('stored');
    expect(await objectExists(h.platform, output.objectKey)).toBe(true);
    expect(h.simulator.tasks('luma').filter((t) => t.prompt === done.prompt)).toHaveLength(1);
  }, 240_000);

  it("[R-OUT-7D] a copy gives up once the store's wait is over: the job says storage was the fault and gives the credits back", async () => {
    const me = await signedIn(brief.platform, { credits: 100 });
    const before = await creditBalance(brief.platform.clients.orm.em.fork(), me.user.id);
    outage.down();
    const created = await createJob(
      me.client,
      jobRequest({ modelId: 'luma-ray-flash-2', durationSeconds: 5 }),
    );
    const done = await waitForJob(me.client, (await json(created)).id, { timeoutMs: 60_000 });
    expect(done).toMatchObject({
      status: 'failed',
      credits: { charged: 0 },
      failure: { code: 'storage_unavailable' },
    });
    expect(await creditBalance(brief.platform.clients.orm.em.fork(), me.user.id)).toBe(before);
  }, 120_000);
});
