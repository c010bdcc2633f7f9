// A job asked for while Temporal does not answer. The platform here reaches Temporal (its
// API's client and its workers alike) through a pass-through that a test takes down and
// brings back. Before, the create waited for the client's retries, failed with a 500, and
// left the job `moderating` with its credits reserved for good: nothing ever started it.
// Now the job is saved and recorded as unstarted, and the unstarted-jobs sweep (a
// Schedule, every minute) starts it once Temporal answers.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  Asset,
  AuditEvent,
  CreditLedgerEntry,
  LegalHold,
  RightsRequest,
  ScriptRevision,
  UnstartedJob,
  UnstartedRetention,
  UnstartedRightsRequest,
  UnstartedScriptRun,
  UnstartedTakedown,
  UnstartedIncident,
  UnstartedParentalConsent,
  Incident,
  TakedownRequest,
  UntoldSignal,
  UntoldSubscriptionEvent,
  Subscription,
  User,
} from '../../db/entities/index.ts';
import { findPlan } from '../../domain/billing.ts';
import {
  GENERATION_SCHEDULE_IDS,
  JOB_CANCEL_DEADLINE_MS,
  JOB_START_DEADLINE_MS,
  KEPT_WORK_READ_TIMEOUT_MS,
  UNSTARTED_JOB_SWEEP_INTERVAL_MS,
  UNSTARTED_SWEEP_BATCH_SIZE,
} from '../../domain/generation.ts';
import { RETENTION_START_DEADLINE_MS } from '../../domain/retention.ts';
import { REQUEST_START_DEADLINE_MS, initialSteps } from '../../domain/rights-request.ts';
import { DAY } from '../../domain/time.ts';
import { TAKEDOWN_START_DEADLINE_MS } from '../../domain/takedown.ts';
import { INCIDENT_START_DEADLINE_MS } from '../../domain/incident.ts';
import { RUN_CANCEL_DEADLINE_MS, RUN_START_DEADLINE_MS } from '../../domain/script.ts';
import { SIGNAL_DEADLINE_MS, TASK_QUEUES, searchAttributes, workflowIds } from '../../domain/temporal.ts';
import { PARENTAL_CONSENT_PERIOD_MS, PARENTAL_CONSENT_START_DEADLINE_MS } from '../../domain/accounts.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { creditBalance } from '../../stores/billing.ts';
import { createUnstartedRightsRequestActivities } from '../../activities/sweeps/unstarted-rights-requests.ts';
import { recordUnstartedStart } from '../../stores/unstarted.ts';
import { recordUntoldSignals } from '../../stores/untold-signals.ts';
import { KEPT_WORK, type KeptWorkKind } from '../../stores/kept-work.ts';
import { cancelRequestedSignalFor as runCancelSignalFor } from '../../clients/script.ts';
import { recordUnstartedRetention } from '../../stores/retention.ts';
import { retentionStateQuery } from '../../workflows/retention.ts';
import { providerUpdateSignal } from '../../workflows/generation.ts';
import { webhookUrlFor } from '../../providers/webhooks.ts';
import { unstartedJobSweepWorkflow } from '../../workflows/sweeps.ts';
import { TEST_PASSWORD, createAccount, signedIn, uniqueEmail } from '../support/accounts.ts';
import { tokenFrom, waitForMail } from '../support/mail.ts';
import {
  eventually,
  media,
  objectExists,
  retentionFirstTaskAt,
  storeAsset,
  uploadBytes,
  waitForDeleted,
} from '../support/assets.ts';
import {
  createJob,
  insertJobRow,
  jobRequest,
  startGenerationHarness,
  waitForJob,
} from '../support/generation.ts';
import type { GenerationHarness } from '../support/generation.ts';
import { TestClient } from '../support/client.ts';
import { StripeSubscription, delivered } from '../support/stripe.ts';
import { heardEvent, json } from '../support/http.ts';
import { createProject, quoteAndRun, TWO_SCENES, waitForProject } from '../support/script.ts';
import { pauseUnstartedSweep, startOutage, temporalAnswering, type Outage } from '../support/outage.ts';
import { endedRuns, listedRuns } from '../support/workflow-runs.ts';
import { PROMPT_MARKERS } from '../support/simulator/index.ts';
import {
  CODE_SUBJECT,
  codeFrom,
  countMails,
  historyActions,
  nextMail,
  waitForRequestStatus,
} from './rights-request.support.ts';

let outage: Outage;
let h: GenerationHarness;
beforeAll(async () => {
  outage = await startOutage(inject('stackEnv').TEMPORAL_ADDRESS!);
  h = await startGenerationHarness({ TEMPORAL_ADDRESS: outage.address });
  await pauseUnstartedSweep(temporal());
});
/** Resolves once Temporal answers this platform's client again. */
const answering = () => temporalAnswering(h.platform.clients.temporal);
// Temporal back, and answering this platform's client again, before the next test.
afterEach(async () => {
  outage.up();
  await answering();
});
afterAll(async () => {
  outage?.up();
  await h?.stop();
  await outage?.close();
});
const em = () => h.platform.clients.orm.em.fork();
/** A provider's simulator whose task never ends for a prompt with the stuck marker. */
const STUCK_ON_LUMA = { modelId: 'luma-ray-flash-2', durationSeconds: 5, resolution: '720p' };
const HOLD_REASON = 'Litigation hold: matter 2026-CV-0042, preserve all media';
const temporal = () => h.platform.clients.temporal.client;
/**
 * The work kept for Temporal, by kind, as this platform's api reports it to operators
 * (/metrics, read on loopback): how many wait, and the oldest one's age in seconds.
 */
async function keptMetrics(): Promise<Record<KeptWorkKind, { waiting: number; oldestS: number }>> {
  const text = await (await h.platform.fetch('/metrics')).text();
  const figure = (name: string, kind: string) => {
    const found = new RegExp(`^${name}\\{kind="${kind}"\\} ([0-9.e+-]+)$`, 'm').exec(text);
    if (!found) throw new Error(`no ${name} for ${kind} in /metrics`);
    return Number(found[1]);
  };
  return Object.fromEntries(
    (Object.keys(KEPT_WORK) as KeptWorkKind[]).map((kind) => [
      kind,
      {
        waiting: figure('clipwise_kept_work', kind),
        oldestS: figure('clipwise_kept_work_oldest_seconds', kind),
      },
    ]),
  ) as Record<KeptWorkKind, { waiting: number; oldestS: number }>;
}
/** One run of the unstarted sweep, as its schedule starts it, once Temporal answers again. */
const sweep = async () => {
  await answering();
  return temporal().workflow.execute(unstartedJobSweepWorkflow, {
    taskQueue: TASK_QUEUES.system,
    workflowId: `test-unstarted-sweep-${randomUUID()}`,
  });
};
/**
 * A record filed while Temporal does not answer (it is left down): answered 201 within
 * seconds, as usual, and its workflow's start kept for the sweep (`unstarted` finds its
 * row). The record as answered.
 */
async function keptFiling(
  client: TestClient,
  path: string,
  body: Record<string, unknown>,
  startDeadlineMs: number,
  unstarted: (id: string) => Promise<{ namespace: string } | null>,
) {
  outage.down();
  const asked = Date.now();
  const filed = await client.post(path, body);
  expect(filed.status).toBe(201);
  // Before, a 503 after the Temporal client's tries (about 5.6 s), and nothing kept.
  expect(Date.now() - asked).toBeLessThan(startDeadlineMs + 5_000);
  const record = await json(filed);
  expect(await unstarted(record.id)).toMatchObject({ namespace: h.platform.namespace });
  return record;
}
/** A rights request asked for while Temporal does not answer, kept for the sweep. */
async function keptRequest(me: Awaited<ReturnType<typeof signedIn>>, body: Record<string, unknown>) {
  const request = await keptFiling(
    me.client,
    '/api/privacy/requests',
    body,
    REQUEST_START_DEADLINE_MS,
    (id) => em().findOne(UnstartedRightsRequest, { request: id }),
  );
  expect(request.status).toBe('awaiting_verification');
  return request;
}
/**
 * A cancel asked for, at `${view}/cancel`, while Temporal does not answer (it is left
 * down): answered 200 within its deadline, with the work still running and the cancel
 * shown as asked for, to the caller and to a live view already open (`${view}/events`);
 * asked again, kept once (one untold signal for `workflowId`).
 */
async function keptCancel(client: TestClient, view: string, deadlineMs: number, workflowId: string) {
  const live = await client.get(`${view}/events`);
  outage.down();
  const asked = Date.now();
  const answer = await client.post(`${view}/cancel`);
  expect(answer.status).toBe(200);
  // Before, a 503 after the Temporal client's tries (about 5.6 s), and the cancel lost.
  expect(Date.now() - asked).toBeLessThan(deadlineMs + 5_000);
  expect(await json(answer)).toMatchObject({ status: 'running', cancelRequestedAt: expect.any(String) });
  // Before, an open page went on offering the cancel: the change was not announced.
  expect(await heardEvent(live, 'progress', (v) => v.cancelRequestedAt !== null)).toMatchObject({
    status: 'running',
  });
  expect((await client.post(`${view}/cancel`)).status).toBe(200);
  expect(await em().count(UntoldSignal, { workflowId })).toBe(1);
}
/**
 * Brings Temporal back and cancels, at `path`, work saved during the outage whose
 * workflow the sweep has not started yet: the cancel is kept for the sweep (200), where
 * it found no workflow before (a job's 404, a script run's 503).
 */
async function cancelledBeforeSweep(client: TestClient, path: string) {
  outage.up();
  await answering();
  const answer = await client.post(path);
  expect(answer.status).toBe(200);
  const body = await json(answer);
  expect(body).toMatchObject({ cancelRequestedAt: expect.any(String) });
  return body;
}
/** A project whose scenes' provider tasks never end: its run goes on until cancelled. */
const stuckProject = (client: TestClient, title: string) =>
  createProject(client, {
    title,
    script: [
      `A ferry waits in the fog ${PROMPT_MARKERS.stuck}`,
      `Its horn sounds twice ${PROMPT_MARKERS.stuck}`,
    ].join('\n\n'),
    modelId: STUCK_ON_LUMA.modelId,
    resolution: STUCK_ON_LUMA.resolution,
  });
const sceneRunning = (p: { scenes: { job?: { status: string } | null }[] }) =>
  p.scenes.some((s) => s.job?.status === 'running');
const statusOf = async (workflowId: string) =>
  (await temporal().workflow.getHandle(workflowId).describe()).status.name;
/** A creator who went through Checkout for the basic plan, and its Stripe ids. */
async function subscribedOnStripe() {
  const account = await signedIn(h.platform);
  const res = await account.client.post('/api/billing/subscription', { planId: 'basic' });
  expect(res.status).toBe(201);
  const { sessionId } = await json(res);
  const row = await em().findOneOrFail(Subscription, { checkoutSessionId: sessionId });
  return { ...account, sub: new StripeSubscription(h.platform, row.id, sessionId, 'basic') };
}
const basicPlan = findPlan('basic')!;
const runsOf = (workflowId: string) => listedRuns(temporal(), workflowId);
const endedRunsOf = (workflowId: string) => endedRuns(temporal(), workflowId);

describe('while Temporal does not answer', () => {
  it('a job asked for is saved with its credits reserved, and runs once Temporal answers, charged exactly once', async () => {
    const me = await signedIn(h.platform, { credits: 20 });
    const keptBefore = (await keptMetrics()).jobs.waiting;
    outage.down();
    const asked = Date.now();
    const created = await createJob(me.client, jobRequest());
    expect(created.status).toBe(201);
    // Answered once the start's deadline passed, not after the Temporal client's own
    // retries (about 20 s before).
    expect(Date.now() - asked).toBeLessThan(JOB_START_DEADLINE_MS + 5_000);
    const job = await json(created);
    expect(job.status).toBe('moderating');
    expect(await em().findOne(UnstartedJob, { job: job.id })).toMatchObject({
      namespace: h.platform.namespace,
    });
    // Operators see it waiting, and for how long, while Temporal does not answer.
    const waiting = await keptMetrics();
    expect(waiting.jobs.waiting).toBe(keptBefore + 1);
    expect(waiting.jobs.oldestS).toBeGreaterThan(0);
    expect(waiting.jobs.oldestS).toBeLessThanOrEqual((Date.now() - asked) / 1000);
    expect(await creditBalance(em(), me.user.id)).toBe(20 - job.credits.quoted);
    // What PostgreSQL knows is still read while Temporal is down.
    expect((await json(await me.client.get('/api/jobs'))).jobs.map((j: { id: string }) => j.id)).toContain(
      job.id,
    );

    outage.up();
    await sweep();
    const done = await waitForJob(me.client, job.id, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: 'succeeded', credits: { charged: job.credits.quoted } });
    expect(await em().findOne(UnstartedJob, { job: job.id })).toBeNull();
    expect((await keptMetrics()).jobs).toEqual({ waiting: 0, oldestS: 0 });
    expect(await em().count(CreditLedgerEntry, { jobId: job.id, kind: 'capture' })).toBe(1);
    expect(await creditBalance(em(), me.user.id)).toBe(20 - job.credits.quoted);
    // Another run finds nothing left to start, and the job had one workflow.
    expect((await sweep()).jobs).toEqual({ started: 0, dropped: 0, refused: 0 });
    expect(await endedRunsOf(workflowIds.generation(job.id))).toEqual(['COMPLETED']);
  }, 120_000);

  it('a job that ended before the sweep came is let go, not started', async () => {
    const user = await createAccount(h.platform);
    const jobId = await insertJobRow(em(), { userId: user.id, status: 'cancelled' });
    await recordUnstartedStart(em(), 'job', jobId, h.platform.namespace);
    // Recorded twice (a create retried with the same key): still one row.
    await recordUnstartedStart(em(), 'job', jobId, h.platform.namespace);
    // This run, or the schedule's if it came first, lets it go.
    await sweep();
    expect(await em().findOne(UnstartedJob, { job: jobId })).toBeNull();
    expect(await runsOf(workflowIds.generation(jobId))).toEqual([]);
  });

  it('a signal Temporal refuses stays recorded, for an operator, and the others are still sent, however many wait behind it', async () => {
    const namespace = h.platform.namespace;
    const failedAt = new Date();
    const refusedWorkflow = ''; // Temporal refuses a signal to no workflow id.
    const endedWorkflow = workflowIds.rightsRequest(randomUUID());
    // More than a run's batch stay (the refused one and those held behind it): the
    // ended workflow's is read in the next batch, past them. Before, it never was.
    const staying = UNSTARTED_SWEEP_BATCH_SIZE + 1;
    await em().insertMany(
      UntoldSignal,
      [...Array<string>(staying).fill(refusedWorkflow), endedWorkflow].map((workflowId) => ({
        namespace,
        workflowId,
        signal: 'cancelRequest',
        args: [],
        failedAt,
      })),
    );
    // This run, or the schedule's if it came first; either way this one is refused again,
    // and its history (and the worker's warning) says why.
    const { signals } = await sweep();
    expect(signals).toMatchObject({
      refused: 1,
      firstRefusal: expect.stringMatching(/INVALID_ARGUMENT: WorkflowId is not set/),
    });
    expect(await em().count(UntoldSignal, { workflowId: endedWorkflow })).toBe(0);
    expect(await em().count(UntoldSignal, { workflowId: refusedWorkflow })).toBe(staying);
    // An operator sees them stay, and since when they wait; another deployment's (its
    // own namespace, its own sweep) are not counted here.
    const elsewhere = { namespace: `elsewhere-${randomUUID()}`, workflowId: endedWorkflow };
    await em().insert(UntoldSignal, { ...elsewhere, signal: 'cancelRequest', args: [], failedAt });
    const kept = (await keptMetrics()).signals;
    expect(kept.waiting).toBe(staying);
    expect(kept.oldestS).toBeGreaterThanOrEqual((Date.now() - failedAt.getTime()) / 1000 - 1);
    await em().nativeDelete(UntoldSignal, { workflowId: refusedWorkflow });
    await em().nativeDelete(UntoldSignal, elsewhere);
  });

  it("the kept work's figures are left out of a scrape, not waited for, while every pooled connection is lent", async () => {
    const pool = (await h.platform.clients.orm.em.getConnection().getNativeClient()) as Pool;
    const lent = await Promise.all(
      Array.from({ length: h.platform.config.database.poolMax }, () => pool.connect()),
    );
    try {
      const asked = Date.now();
      // Before the read had its limit, this waited for a connection (up to the pool's 10 s).
      const res = await h.platform.fetch('/metrics', { signal: AbortSignal.timeout(5_000) });
      expect(res.status).toBe(200);
      expect(Date.now() - asked).toBeGreaterThanOrEqual(KEPT_WORK_READ_TIMEOUT_MS - 50);
      const text = await res.text();
      expect(text).not.toMatch(/^clipwise_kept_work(_oldest_seconds)?\{/m);
      expect(text).toMatch(/^clipwise_db_pool_connections\{state="waiting"\} [1-9]/m);
    } finally {
      for (const connection of lent) connection.release();
    }
    // Given back, the figures are read again: nothing kept in this namespace now.
    expect((await keptMetrics()).jobs).toEqual({ waiting: 0, oldestS: 0 });
  });

  it('a script run confirmed is saved with its credits reserved, and runs once Temporal answers, charged exactly once', async () => {
    const me = await signedIn(h.platform, { credits: 100 });
    const project = await createProject(me.client, {
      title: 'Unstarted',
      script: TWO_SCENES,
      resolution: '540p',
    });
    outage.down();
    const asked = Date.now();
    const { quote, started, key } = await quoteAndRun(me.client, project.id);
    // Answered once the start's deadline passed; before, a 503 after about 20 s.
    expect(Date.now() - asked).toBeLessThan(RUN_START_DEADLINE_MS + 5_000);
    expect(started.status).toBe('running');
    const revision = await em().findOneOrFail(ScriptRevision, { project: project.id, idempotencyKey: key });
    expect(await em().findOne(UnstartedScriptRun, { revision: revision.id })).toMatchObject({
      namespace: h.platform.namespace,
    });
    expect(await creditBalance(em(), me.user.id)).toBe(100 - quote.credits);

    outage.up();
    await sweep();
    const done = await waitForProject(me.client, project.id, { timeoutMs: 180_000 });
    expect(done).toMatchObject({ status: 'ready', latestRevision: 1, message: null });
    expect(await em().findOne(UnstartedScriptRun, { revision: revision.id })).toBeNull();
    expect(await creditBalance(em(), me.user.id)).toBe(100 - quote.credits);
    // The same confirmation again starts nothing more, and the project had one run.
    const again = await me.client.request(
      'POST',
      `/api/scripts/${project.id}/runs`,
      { quoteHash: quote.quoteHash },
      { 'idempotency-key': key },
    );
    expect(again.status).toBe(200);
    // Recorded again once it ended: let go, not started (this sweep, or the schedule's).
    await recordUnstartedStart(em(), 'scriptRun', revision.id, h.platform.namespace);
    await sweep();
    expect(await em().findOne(UnstartedScriptRun, { revision: revision.id })).toBeNull();
    expect(await endedRunsOf(workflowIds.script(project.id))).toEqual(['COMPLETED']);
    expect(await em().count(ScriptRevision, { project: project.id })).toBe(1);
  }, 300_000);

  it('[R-HOLD] [R-IN-EARLY] holds placed and released are made and answered, and the deletion they deferred runs once Temporal answers', async () => {
    const legal = await signedIn(h.platform, { role: 'legal', mfa: true });
    const owner = await signedIn(h.platform);
    const asset = await storeAsset(h.platform, owner.user.id, { kind: 'input' });
    const first = await json(
      await legal.client.post('/api/legal/holds', { assetId: asset.id, reason: HOLD_REASON }),
    );
    expect((await owner.client.delete(`/api/assets/${asset.id}`)).status).toBe(202);
    await eventually(
      async () =>
        (await temporal().workflow.getHandle(workflowIds.retention(asset.id)).query(retentionStateQuery))
          .deferrals === 1,
      10_000,
      'the deletion deferred',
    );

    outage.down();
    const asked = Date.now();
    const placed = await legal.client.post('/api/legal/holds', { assetId: asset.id, reason: HOLD_REASON });
    expect(placed.status).toBe(201);
    const second = await json(placed);
    for (const hold of [first, second]) {
      const released = await legal.client.post(`/api/legal/holds/${hold.id}/release`, { reason: 'Settled' });
      expect(released.status).toBe(200);
      expect(await json(released)).toMatchObject({ active: false, workflowsSignalled: 0 });
    }
    // Each answered once its signals' deadline passed; before, a 503 after about 20 s.
    expect(Date.now() - asked).toBeLessThan(3 * (SIGNAL_DEADLINE_MS + 2_000));
    expect(await em().count(LegalHold, { assetId: asset.id })).toBe(2);
    // Each release's signal to the file's retention workflow, kept to be sent.
    const retention = { workflowId: workflowIds.retention(asset.id) };
    expect(await em().count(UntoldSignal, retention)).toBe(2);
    expect(await objectExists(h.platform, asset.objectKey)).toBe(true);

    outage.up();
    await sweep();
    // Deleted within the sweep's minute, not at the workflow's daily look at the holds.
    const deleted = await waitForDeleted(h.platform, asset.id, 30_000);
    expect(deleted.deletionReason).toBe('user');
    expect(await objectExists(h.platform, asset.objectKey)).toBe(false);
    expect(await em().count(UntoldSignal, retention)).toBe(0);
  }, 120_000);

  it("[D-ADM] a person's review decided is recorded and answered, and the job goes on once Temporal answers", async () => {
    const support = await signedIn(h.platform, { role: 'support', mfa: true });
    const { client } = await signedIn(h.platform, { credits: 100 });
    const refused = await waitForJob(
      client,
      (
        await json(
          await createJob(client, jobRequest({ prompt: 'a deepfake of my neighbour giving a speech' })),
        )
      ).id,
    );
    expect(refused).toMatchObject({ status: 'rejected', reviewRequestable: true });
    const asked = await client.post(`/api/jobs/${refused.id}/review-request`, {
      note: 'my neighbour agreed',
    });
    const rerunId = (await json(asked)).review.jobId as string;
    await waitForJob(client, rerunId, { until: (j) => j.status === 'awaiting_review' });

    outage.down();
    const decided = await support.client.post(`/api/moderation/jobs/${rerunId}/decision`, {
      approve: true,
      reason: 'consent shown; a harmless joke',
    });
    expect(decided.status).toBe(200);
    expect(await em().count(UntoldSignal, { workflowId: workflowIds.generation(rerunId) })).toBe(1);

    outage.up();
    await sweep();
    // Before, the workflow never heard the decision: it waited out the review and ended refused.
    const done = await waitForJob(client, rerunId, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: 'succeeded', credits: { charged: refused.credits.quoted } });
    expect(await em().count(UntoldSignal, { workflowId: workflowIds.generation(rerunId) })).toBe(0);
  }, 150_000);

  it('[D-ACCESS] a rights request cancelled is cancelled and answered, and its workflow ends once Temporal answers', async () => {
    const me = await signedIn(h.platform);
    const created = await me.client.post('/api/privacy/requests', { type: 'access', jurisdiction: 'GDPR' });
    expect(created.status).toBe(201);
    const request = await json(created);
    const workflowId = workflowIds.rightsRequest(request.id);

    outage.down();
    const cancelled = await me.client.post(`/api/privacy/requests/${request.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await json(cancelled)).toMatchObject({ status: 'cancelled' });
    expect(await em().count(UntoldSignal, { workflowId })).toBe(1);

    outage.up();
    await sweep();
    // Told within the sweep: before, it waited for the unverified request's expiry.
    await temporal().workflow.getHandle(workflowId).result();
    expect(await em().count(UntoldSignal, { workflowId })).toBe(0);
    expect((await json(await me.client.get(`/api/privacy/requests/${request.id}`))).status).toBe('cancelled');
  }, 90_000);

  it('[R-IN-30D] an upload is kept and answered within seconds, and its retention workflow starts once Temporal answers, due at its delete-at', async () => {
    const me = await signedIn(h.platform);
    // One upload while Temporal answers: the image classifier is loaded before the clock runs.
    const before = await uploadBytes(h.platform, me.client, await media('png'), { filename: 'a.png' });
    expect(before.status).toBe(201);
    outage.down();
    const asked = Date.now();
    const uploaded = await uploadBytes(h.platform, me.client, await media('png'), { filename: 'a.png' });
    expect(uploaded.status).toBe(201);
    // Before, a 503 after the Temporal client's own retries (about 20 s), and nothing kept.
    expect(Date.now() - asked).toBeLessThan(RETENTION_START_DEADLINE_MS + 5_000);
    const asset = await json(uploaded);
    expect(asset).toMatchObject({ kind: 'input', status: 'stored' });
    const stored = await em().findOneOrFail(Asset, { id: asset.id });
    expect(await objectExists(h.platform, stored.objectKey)).toBe(true);
    expect(await em().findOne(UnstartedRetention, { asset: asset.id })).toMatchObject({
      namespace: h.platform.namespace,
    });

    outage.up();
    await sweep();
    expect(await em().findOne(UnstartedRetention, { asset: asset.id })).toBeNull();
    // Started with the delete-at the upload was given, not one counted from the sweep (30
    // days on): its start's delay is counted when the start is sent, so a start the client
    // had to try again lands that much later.
    const firstTaskAt = await retentionFirstTaskAt(h.platform, asset.id);
    expect(firstTaskAt.getTime() - Date.parse(asset.deleteAt)).toBeGreaterThan(-1_000);
    expect(firstTaskAt.getTime() - Date.parse(asset.deleteAt)).toBeLessThan(60_000);
    expect(await statusOf(workflowIds.retention(asset.id))).toBe('RUNNING');
    expect((await sweep()).retentions).toEqual({ started: 0, dropped: 0, refused: 0 });
  }, 90_000);

  it('[R-IN-EARLY] an upload deleted before the sweep came is let go, its retention not started', async () => {
    const user = await createAccount(h.platform);
    const asset = await storeAsset(h.platform, user.id, { kind: 'input', retention: false });
    await em().nativeUpdate(Asset, { id: asset.id }, { status: 'deleted', deletedAt: new Date() });
    await recordUnstartedRetention(em(), asset.id, h.platform.namespace);
    // Recorded twice: still one row.
    await recordUnstartedRetention(em(), asset.id, h.platform.namespace);
    // This run, or the schedule's if it came first, lets it go.
    await sweep();
    expect(await em().findOne(UnstartedRetention, { asset: asset.id })).toBeNull();
    expect(await runsOf(workflowIds.retention(asset.id))).toEqual([]);
  }, 90_000);

  it('[R-HOLD] [R-IN-EARLY] a deletion asked for under a hold is answered as deferred, and runs at the release once Temporal answers', async () => {
    const legal = await signedIn(h.platform, { role: 'legal', mfa: true });
    const owner = await signedIn(h.platform);
    const asset = await storeAsset(h.platform, owner.user.id, { kind: 'input' });
    const hold = await json(
      await legal.client.post('/api/legal/holds', { assetId: asset.id, reason: HOLD_REASON }),
    );

    outage.down();
    const asked = Date.now();
    const deferred = await owner.client.delete(`/api/assets/${asset.id}`);
    expect(deferred.status).toBe(202);
    expect(await json(deferred)).toMatchObject({
      status: 'deleting',
      legalHold: true,
      deletionDeferred: true,
    });
    // Before, a 503 after about 20 s, and the request forgotten by the retention workflow.
    expect(Date.now() - asked).toBeLessThan(SIGNAL_DEADLINE_MS + 5_000);
    expect(await em().findOne(UnstartedRetention, { asset: asset.id })).toMatchObject({
      deletion: { reason: 'user', requestedBy: owner.user.id, proofId: null },
    });

    outage.up();
    await sweep();
    expect(await em().findOne(UnstartedRetention, { asset: asset.id })).toBeNull();
    await eventually(
      async () =>
        (await temporal().workflow.getHandle(workflowIds.retention(asset.id)).query(retentionStateQuery))
          .reason === 'user',
      30_000,
      "the person's request remembered by the retention workflow",
    );
    expect(await objectExists(h.platform, asset.objectKey)).toBe(true);
    await legal.client.post(`/api/legal/holds/${hold.id}/release`, { reason: 'Settled' });
    // Deleted at the release, not at the file's delete-at 30 days on.
    const deleted = await waitForDeleted(h.platform, asset.id, 30_000);
    expect(deleted.deletionReason).toBe('user');
    expect(await objectExists(h.platform, asset.objectKey)).toBe(false);
  }, 120_000);

  it('[R-IN-EARLY] a file deleted by its owner is deleted and answered, and its retention workflow ends once Temporal answers', async () => {
    const owner = await signedIn(h.platform);
    const asset = await storeAsset(h.platform, owner.user.id, { kind: 'input' });
    outage.down();
    const asked = Date.now();
    const deleted = await owner.client.delete(`/api/assets/${asset.id}`);
    expect(deleted.status).toBe(202);
    expect(await json(deleted)).toMatchObject({ status: 'deleted', deletionReason: 'user' });
    expect(Date.now() - asked).toBeLessThan(SIGNAL_DEADLINE_MS + 5_000);
    expect(await objectExists(h.platform, asset.objectKey)).toBe(false);
    const recorded = await em().findOneOrFail(UnstartedRetention, { asset: asset.id });
    expect(recorded.deletion).toMatchObject({ reason: 'user', proofId: expect.any(String) });

    outage.up();
    await sweep();
    expect(await em().findOne(UnstartedRetention, { asset: asset.id })).toBeNull();
    // Told the proof, the workflow ends now, not at the delete-at it was sleeping until.
    const ended = await temporal().workflow.getHandle(workflowIds.retention(asset.id)).result();
    expect(ended).toMatchObject({ status: 'deleted', proofId: recorded.deletion!.proofId });
    expect(await statusOf(workflowIds.retention(asset.id))).toBe('COMPLETED');
  }, 120_000);

  it('[D-ACCESS] [D-VERIFY] a rights request is kept and answered within seconds; confirmed before the sweep, its workflow starts verified, and the export is made', async () => {
    const me = await signedIn(h.platform);
    const seen = await countMails(me.user.email, CODE_SUBJECT);
    const request = await keptRequest(me, { type: 'access', jurisdiction: 'GDPR' });

    // Confirmed once Temporal answers, before the sweep: the signal finds no workflow and
    // is let go, so only the row says the request is verified.
    outage.up();
    await answering();
    const code = codeFrom(await nextMail(me.user.email, CODE_SUBJECT, seen));
    const verified = await me.client.post(`/api/privacy/requests/${request.id}/verify`, { code });
    expect(verified.status).toBe(200);
    const workflowId = workflowIds.rightsRequest(request.id);
    expect(await em().count(UntoldSignal, { workflowId })).toBe(0);

    expect((await sweep()).rightsRequests).toEqual({ started: 1, dropped: 0, refused: 0 });
    // Started unverified, it would wait for the request's expiry (7 days) before reading the row.
    const done = await waitForRequestStatus(h.platform, request.id, ['completed'], 60_000);
    expect(done.dueAt).toBeTruthy();
    // Verified when the sweep read it, it started verified: no timer, no signal.
    expect(await historyActions(temporal().workflow.getHandle(workflowId))).toMatchObject({
      signals: 0,
      timers: 0,
    });
    expect(await em().findOne(UnstartedRightsRequest, { request: request.id })).toBeNull();
    expect((await sweep()).rightsRequests).toEqual({ started: 0, dropped: 0, refused: 0 });
    expect(await endedRunsOf(workflowId)).toEqual(['COMPLETED']);
  }, 150_000);

  it('[D-ACCESS] a rights request kept and cancelled before the sweep is let go: no workflow starts', async () => {
    const me = await signedIn(h.platform);
    outage.down();
    const created = await me.client.post('/api/privacy/requests', {
      type: 'rectification',
      jurisdiction: 'GDPR',
      corrections: { name: 'Ada Lovelace' },
    });
    expect(created.status).toBe(201);
    const request = await json(created);
    const cancelled = await me.client.post(`/api/privacy/requests/${request.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await json(cancelled)).toMatchObject({ status: 'cancelled' });

    outage.up();
    expect((await sweep()).rightsRequests).toEqual({ started: 0, dropped: 1, refused: 0 });
    expect(await em().findOne(UnstartedRightsRequest, { request: request.id })).toBeNull();
    expect(await runsOf(workflowIds.rightsRequest(request.id))).toEqual([]);
    expect((await json(await me.client.get(`/api/privacy/requests/${request.id}`))).status).toBe('cancelled');
  }, 120_000);

  it('[D-VERIFY] a request confirmed while the sweep starts its workflow is told, not left to wait for its expiry', async () => {
    const me = await signedIn(h.platform);
    const seen = await countMails(me.user.email, CODE_SUBJECT);
    outage.down();
    const created = await me.client.post('/api/privacy/requests', {
      type: 'objection',
      jurisdiction: 'GDPR',
    });
    expect(created.status).toBe(201);
    const request = await json(created);
    outage.up();
    await answering();
    const code = codeFrom(await nextMail(me.user.email, CODE_SUBJECT, seen));

    // The person confirms between the sweep's read of the row (unverified) and its start:
    // the confirmation's signal finds no workflow yet.
    const real = temporal();
    const confirmingFirst = {
      workflow: {
        start: async (...args: Parameters<typeof real.workflow.start>) => {
          const verified = await me.client.post(`/api/privacy/requests/${request.id}/verify`, { code });
          expect(verified.status).toBe(200);
          return real.workflow.start(...args);
        },
        getHandle: (id: string) => real.workflow.getHandle(id),
      },
    } as unknown as typeof real;
    const sweepStep = createUnstartedRightsRequestActivities({
      orm: h.platform.clients.orm,
      temporal: { ...h.platform.clients.temporal, client: confirmingFirst },
      config: h.platform.config,
    });
    expect(await sweepStep.startUnstartedRightsRequests()).toEqual({ started: 1, dropped: 0, refused: 0 });
    await waitForRequestStatus(h.platform, request.id, ['completed'], 60_000);
  }, 120_000);

  it('[S-TAKEDOWN] a take-down filed is kept and answered within seconds; decided before the sweep, its workflow is told the decision once started and removes the content', async () => {
    const legal = await signedIn(h.platform, { role: 'legal', mfa: true });
    const creator = await signedIn(h.platform);
    const video = await storeAsset(h.platform, creator.user.id);
    const reporter = new TestClient(h.platform.api.url);
    await reporter.refreshCsrf();
    const { id } = await keptFiling(
      reporter,
      '/api/takedowns',
      {
        reason: 'deepfake',
        content: video.id,
        details: 'This video shows my face without my consent.',
      },
      TAKEDOWN_START_DEADLINE_MS,
      (id) => em().findOne(UnstartedTakedown, { takedown: id }),
    );

    // Decided once Temporal answers, before the sweep: the decision's signal finds no
    // workflow and is let go; the workflow, started without it, would wait for one forever.
    outage.up();
    await answering();
    const decided = await legal.client.post(`/api/legal/takedowns/${id}/decision`, {
      uphold: true,
      reason: 'A real person, no consent: a deepfake.',
    });
    expect(decided.status).toBe(200);
    expect(await em().count(UntoldSignal, { workflowId: workflowIds.takedown(id) })).toBe(0);

    expect((await sweep()).takedowns).toEqual({ started: 1, dropped: 0, refused: 0 });
    const removed = await eventually(
      async () => {
        const row = await em().findOneOrFail(TakedownRequest, { id });
        return row.status === 'awaiting_answer' ? row : undefined;
      },
      30_000,
      'the removal',
    );
    expect(removed.removed.map((r) => r.assetId)).toContain(video.id);
    expect(await objectExists(h.platform, video.objectKey)).toBe(false);
    expect(await em().findOne(UnstartedTakedown, { takedown: id })).toBeNull();
    expect((await sweep()).takedowns).toEqual({ started: 0, dropped: 0, refused: 0 });
  }, 150_000);

  it('[S-BREACH] an incident recorded is kept and answered within seconds; its workflow, once started, is told of the authority notified meanwhile and closes', async () => {
    const legal = await signedIn(h.platform, { role: 'legal', mfa: true });
    const { id } = await keptFiling(
      legal.client,
      '/api/legal/incidents',
      {
        title: `backup exposed ${randomUUID()}`,
        description: 'A misconfigured backup exposed uploaded images for a day.',
        measures: 'The backup was removed and access logs reviewed. No action is needed from you.',
        categories: ['uploads'],
        discoveredAt: new Date(Date.now() - 3_600_000).toISOString(),
        // A day with nobody's uploads in it: nobody to email.
        windowStart: '2017-01-01T00:00:00.000Z',
        windowEnd: '2017-01-02T00:00:00.000Z',
      },
      INCIDENT_START_DEADLINE_MS,
      (id) => em().findOne(UnstartedIncident, { incident: id }),
    );

    // The authority notified once Temporal answers, before the sweep: the signal finds no
    // workflow; started without it, the workflow would wait for the 72 hours' end.
    outage.up();
    await answering();
    const notified = await legal.client.post(`/api/legal/incidents/${id}/authority-notified`, {
      reference: 'DPA-2026-0042',
    });
    expect(notified.status).toBe(200);

    expect((await sweep()).incidents).toEqual({ started: 1, dropped: 0, refused: 0 });
    const closed = await eventually(
      async () => {
        const row = await em().findOneOrFail(Incident, { id });
        return row.closedAt ? row : undefined;
      },
      30_000,
      'the close',
    );
    expect(closed).toMatchObject({ status: 'closed', deadlineMissedAt: null });
    expect(await em().findOne(UnstartedIncident, { incident: id })).toBeNull();
  }, 120_000);

  it('[D-ERASE] [D-VERIFY] an account deletion asked for is kept and answered within seconds; confirmed before the sweep, its workflow starts verified, and the account is deleted', async () => {
    const me = await signedIn(h.platform);
    const { pseudonym } = await em().findOneOrFail(User, { id: me.user.id });
    const seen = await countMails(me.user.email, CODE_SUBJECT);
    const request = await keptRequest(me, { type: 'deletion', jurisdiction: 'GDPR' });
    // Still one deletion at a time.
    const again = await me.client.post('/api/privacy/requests', { type: 'deletion', jurisdiction: 'GDPR' });
    expect((await json(again)).error.code).toBe('deletion_already_requested');

    outage.up();
    await answering();
    const code = codeFrom(await nextMail(me.user.email, CODE_SUBJECT, seen));
    const verified = await me.client.post(`/api/privacy/requests/${request.id}/verify`, { code });
    expect(verified.status).toBe(200);

    expect((await sweep()).rightsRequests).toEqual({ started: 1, dropped: 0, refused: 0 });
    // Started unverified, it would wait for the request's expiry (7 days) before reading the row.
    await waitForRequestStatus(h.platform, request.id, ['completed'], 120_000);
    expect(await em().findOne(User, { id: me.user.id })).toBeNull();
    expect(await endedRunsOf(workflowIds.accountDeletion(pseudonym))).toEqual(['COMPLETED']);
    expect(await em().findOne(UnstartedRightsRequest, { request: request.id })).toBeNull();
  }, 180_000);

  it("[D-MINOR] an under-age account stopped by support is answered within seconds, its deletion kept, and deleted as a minor's once Temporal answers", async () => {
    const me = await signedIn(h.platform);
    const support = await signedIn(h.platform, { role: 'support', mfa: true });
    outage.down();
    const asked = Date.now();
    const res = await support.client.post(`/api/staff/users/${me.user.id}/minor`, {
      reason: 'Profile says 14; no parental consent on file',
    });
    // Before, a 503 after the account was stopped, its deletion's row left verified with
    // no workflow: never deleted, and any later deletion refused as already requested.
    expect(res.status).toBe(202);
    expect(Date.now() - asked).toBeLessThan(REQUEST_START_DEADLINE_MS + 5_000);
    const answer = await json(res);
    expect(answer).toMatchObject({ status: 'suspended_minor' });
    expect(await em().findOne(UnstartedRightsRequest, { request: answer.requestId })).not.toBeNull();
    const { pseudonym } = await em().findOneOrFail(User, { id: me.user.id });

    outage.up();
    expect((await sweep()).rightsRequests).toEqual({ started: 1, dropped: 0, refused: 0 });
    // Started unverified, it would wait for a code nobody is sent, until the request's expiry.
    const done = await waitForRequestStatus(h.platform, answer.requestId, ['completed'], 120_000);
    expect(done.origin).toBe('minor');
    expect(await em().findOne(User, { id: me.user.id })).toBeNull();
    // Started verified, as support's finding is: no timer for a code, no signal to tell it.
    const deletion = temporal().workflow.getHandle(workflowIds.accountDeletion(pseudonym));
    expect(await historyActions(deletion)).toMatchObject({ signals: 0, timers: 0 });
  }, 180_000);

  it("[D-MINOR] a minor's sign-up is answered within seconds, the account kept, and its timer started by the sweep for what is left of the parent's period", async () => {
    /** A minor signs up while Temporal does not answer; the account, kept. */
    const minorSignsUp = async (parentEmail: string) => {
      const client = new TestClient(h.platform.api.url);
      await client.refreshCsrf();
      const email = uniqueEmail('minor');
      outage.down();
      const asked = Date.now();
      const res = await client.post('/api/auth/sign-up', {
        name: 'Minor Example',
        email,
        password: TEST_PASSWORD,
        acceptPolicyVersion: POLICY_VERSION,
        dateOfBirth: `${new Date().getUTCFullYear() - 15}-01-15`,
        parentEmail,
      });
      // Before, a 503 after the Temporal client's tries (about 5.6 s), the account
      // removed and the person asked to try again, their address's email already sent.
      expect(res.status).toBe(202);
      expect(Date.now() - asked).toBeLessThan(PARENTAL_CONSENT_START_DEADLINE_MS + 5_000);
      const user = await em().findOneOrFail(User, { email });
      expect(user.status).toBe('awaiting_parental_consent');
      expect(await em().findOne(UnstartedParentalConsent, { user: user.id })).toMatchObject({
        namespace: h.platform.namespace,
      });
      return user;
    };
    const waiting = await minorSignsUp(uniqueEmail('parent'));
    const parent = uniqueEmail('parent');
    const confirmed = await minorSignsUp(parent);
    // The parent confirms before the sweep: that account needs no timer.
    const token = tokenFrom(await waitForMail(parent, /would like to use Clipwise/));
    const anyone = new TestClient(h.platform.api.url);
    await anyone.refreshCsrf();
    expect((await anyone.post('/api/auth/parental-consent/confirm', { token })).status).toBe(200);

    outage.up();
    expect((await sweep()).parentalConsents).toEqual({ started: 1, dropped: 1, refused: 0 });
    expect(await em().count(UnstartedParentalConsent, { user: { $in: [waiting.id, confirmed.id] } })).toBe(0);
    // The timer ends when one started at sign-up would have, not a period after the sweep.
    const timer = await temporal().workflow.getHandle(workflowIds.parentalConsent(waiting.id)).describe();
    expect(timer.status.name).toBe('RUNNING');
    const dueAt = timer.typedSearchAttributes.get(searchAttributes.dueAt)!;
    expect(
      Math.abs(dueAt.getTime() - (waiting.createdAt.getTime() + PARENTAL_CONSENT_PERIOD_MS)),
    ).toBeLessThan(1_000);
    await expect(
      temporal().workflow.getHandle(workflowIds.parentalConsent(confirmed.id)).describe(),
    ).rejects.toThrow(WorkflowNotFoundError);
    expect(await em().findOne(User, { id: confirmed.id })).toMatchObject({ status: 'active' });
  }, 180_000);

  it("[D-ERASE] the sweep takes an account's running deletion for its request's own only when the deletion names the request", async () => {
    const me = await signedIn(h.platform);
    await answering();
    const created = await me.client.post('/api/privacy/requests', { type: 'deletion', jurisdiction: 'GDPR' });
    expect(created.status).toBe(201);
    const request = await json(created);
    const { pseudonym } = await em().findOneOrFail(User, { id: me.user.id });
    const workflowId = workflowIds.accountDeletion(pseudonym);
    // As if a start had reached Temporal past its deadline, its answer lost: the sweep
    // finds the deletion running, its own, and starts nothing twice.
    await recordUnstartedStart(em(), 'rightsRequest', request.id, h.platform.namespace);
    expect((await sweep()).rightsRequests).toEqual({ started: 1, dropped: 0, refused: 0 });
    expect(await runsOf(workflowId)).toEqual(['RUNNING']);

    // A second open deletion of the account (the API refuses one; made here by hand) finds
    // the first's running: not its own, it stays recorded for an operator.
    const db = em();
    const other = db.create(RightsRequest, {
      user: me.user.id,
      type: 'deletion',
      jurisdiction: 'GDPR',
      status: 'awaiting_verification',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + DAY),
      origin: 'user',
      details: {},
      steps: initialSteps('deletion'),
      counts: {},
      verificationAttempts: 0,
      workflowId,
    });
    await db.flush();
    await recordUnstartedStart(em(), 'rightsRequest', other.id, h.platform.namespace);
    try {
      expect((await sweep()).rightsRequests).toEqual({
        started: 0,
        dropped: 0,
        refused: 1,
        firstRefusal: `another deletion of the account runs; request ${other.id} not started`,
      });
      expect(await em().findOne(UnstartedRightsRequest, { request: other.id })).not.toBeNull();
      expect(await runsOf(workflowId)).toEqual(['RUNNING']);
    } finally {
      await em().nativeDelete(UnstartedRightsRequest, { request: other.id });
    }
  }, 120_000);

  it('a job cancelled is answered within seconds with its cancel kept, and is cancelled, its credits back, once Temporal answers', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 100 });
    const job = await json(
      await createJob(client, jobRequest({ ...STUCK_ON_LUMA, prompt: `a river ${PROMPT_MARKERS.stuck}` })),
    );
    await waitForJob(client, job.id, { until: (j) => j.status === 'running' });
    const workflowId = workflowIds.generation(job.id);
    await keptCancel(client, `/api/jobs/${job.id}`, JOB_CANCEL_DEADLINE_MS, workflowId);

    outage.up();
    await sweep();
    // Never told, the stuck job would run to its deadline and fail.
    const done = await waitForJob(client, job.id, { timeoutMs: 60_000 });
    expect(done).toMatchObject({
      status: 'cancelled',
      cancelRequestedAt: null,
      failure: { code: 'cancelled' },
    });
    expect(await creditBalance(em(), user.id)).toBe(100);
    expect(await em().count(UntoldSignal, { workflowId })).toBe(0);
  }, 150_000);

  it("a provider's callback is answered within seconds and kept, and the job's workflow told once Temporal answers", async () => {
    const { client } = await signedIn(h.platform, { credits: 100 });
    const job = await json(
      await createJob(client, jobRequest({ ...STUCK_ON_LUMA, prompt: `a canal ${PROMPT_MARKERS.stuck}` })),
    );
    await waitForJob(client, job.id, { until: (j) => j.status === 'running' });
    const workflowId = workflowIds.generation(job.id);
    const hints = async () =>
      ((await temporal().workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === providerUpdateSignal.name,
      ).length;
    const before = await hints();
    const callback = new URL(webhookUrlFor(h.platform.config, 'luma', job.id));

    outage.down();
    const asked = Date.now();
    const delivered = await h.platform.fetch(`${callback.pathname}${callback.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: randomUUID(), state: 'dreaming' }),
    });
    // Before, a 503 after the Temporal client's tries (about 5.6 s), and the hint lost to
    // a provider that does not send a refused callback again.
    expect(delivered.status).toBe(200);
    expect(Date.now() - asked).toBeLessThan(SIGNAL_DEADLINE_MS + 5_000);
    expect(await em().find(UntoldSignal, { workflowId })).toMatchObject([
      { signal: providerUpdateSignal.name },
    ]);

    outage.up();
    const swept = await sweep();
    expect(swept.signals.sent).toBeGreaterThanOrEqual(1);
    expect(await em().count(UntoldSignal, { workflowId })).toBe(0);
    // Taken while a workflow task is running, a signal joins the history when that task
    // completes: the worker, reconnecting, may not have completed it yet.
    await eventually(async () => (await hints()) === before + 1, 30_000, 'the hint in the history');
    // The stuck job is cancelled, its credits back.
    expect((await client.post(`/api/jobs/${job.id}/cancel`)).status).toBe(200);
    expect(await waitForJob(client, job.id, { timeoutMs: 60_000 })).toMatchObject({ status: 'cancelled' });
  }, 150_000);

  it("[D-SUBSCRIPTION] Stripe's subscription events are answered within seconds and kept with their receipt; the sweep starts the subscription's workflow with them once Temporal answers, and its credits are granted once", async () => {
    const account = await subscribedOnStripe();
    const { sub } = account;
    const workflowId = workflowIds.subscription(sub.subscriptionId);
    const invoice = sub.invoice('paid', `in_kept_${sub.subscriptionId.slice(0, 8)}`, 0);

    outage.down();
    const asked = Date.now();
    // Before, each answered 503 after the Temporal client's tries (about 5.6 s), and
    // waited for Stripe's next delivery, which backs off for up to three days.
    for (const event of [sub.checkoutCompleted(), sub.subscription('created', 0), invoice]) {
      expect(await delivered(h.platform, event)).toBe('kept');
    }
    expect(Date.now() - asked).toBeLessThan(3 * (SIGNAL_DEADLINE_MS + 5_000));
    // Its receipt was recorded with it: the same delivery again is a repeat.
    expect(await delivered(h.platform, invoice)).toBe('duplicate');
    const kept = await em().find(
      UntoldSubscriptionEvent,
      { subscription: sub.subscriptionId },
      { orderBy: { id: 'asc' } },
    );
    expect(kept.map((k) => [k.namespace, k.event.kind])).toEqual([
      [h.platform.namespace, 'checkout_completed'],
      [h.platform.namespace, 'subscription_changed'],
      [h.platform.namespace, 'invoice_paid'],
    ]);

    outage.up();
    await answering();
    // Nothing started it but the sweep.
    await expect(statusOf(workflowId)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await sweep()).subscriptionEvents).toEqual({ sent: 3, dropped: 0, refused: 0 });
    expect(await em().count(UntoldSubscriptionEvent, { subscription: sub.subscriptionId })).toBe(0);
    await eventually(
      async () => (await creditBalance(em(), account.user.id)) === basicPlan.credits,
      30_000,
      "the first month's credits",
    );
    const start = new Date(sub.period(0).start * 1000);
    expect(await em().findOneOrFail(Subscription, { id: sub.subscriptionId })).toMatchObject({
      status: 'active',
      stripeSubscriptionId: sub.stripeId,
      currentPeriodStart: start,
    });
    // A second run finds nothing; the invoice, reported again, grants nothing twice.
    expect((await sweep()).subscriptionEvents).toEqual({ sent: 0, dropped: 0, refused: 0 });
    expect(await delivered(h.platform, { ...invoice, id: `${invoice.id}_again` })).toBe('forwarded');
    expect(await delivered(h.platform, sub.subscription('updated', 1))).toBe('forwarded');
    const end = new Date(sub.period(1).end * 1000);
    await eventually(
      async () =>
        (await em().findOneOrFail(Subscription, { id: sub.subscriptionId })).currentPeriodEnd?.getTime() ===
        end.getTime(),
      30_000,
      'the later events handled',
    );
    expect(await creditBalance(em(), account.user.id)).toBe(basicPlan.credits);
  }, 150_000);

  it('[D-SUBSCRIPTION] [D-ERASE] a Checkout completed while Temporal did not answer, for an account deleted before the sweep, is cancelled at Stripe and its workflow never started', async () => {
    const { sub } = await subscribedOnStripe();
    outage.down();
    expect(await delivered(h.platform, sub.checkoutCompleted())).toBe('kept');
    outage.up();
    await answering();
    // The account's deletion ends its subscriptions and detaches them (R-PAY-7Y): it knew
    // no Stripe subscription for this one, whose Checkout it had not heard of.
    await em().nativeUpdate(
      Subscription,
      { id: sub.subscriptionId },
      { user: null, status: 'canceled', endReason: 'account_deleted', endedAt: new Date() },
    );
    expect((await sweep()).subscriptionEvents).toEqual({ sent: 0, dropped: 1, refused: 0 });
    expect(await em().count(UntoldSubscriptionEvent, { subscription: sub.subscriptionId })).toBe(0);
    expect(
      await em().find(AuditEvent, { action: 'billing.subscription_cancelled', targetId: sub.subscriptionId }),
    ).toMatchObject([{ details: { reason: 'account_deletion', atStripe: 'cancelled', late: true } }]);
    await expect(statusOf(workflowIds.subscription(sub.subscriptionId))).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  }, 150_000);

  it('a job saved while Temporal did not answer and cancelled before the sweep is started and cancelled by it, its credits back', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 100 });
    outage.down();
    const created = await createJob(
      client,
      jobRequest({ ...STUCK_ON_LUMA, prompt: `a lake ${PROMPT_MARKERS.stuck}` }),
    );
    expect(created.status).toBe(201);
    const job = await json(created);
    await cancelledBeforeSweep(client, `/api/jobs/${job.id}/cancel`);

    const swept = await sweep();
    expect(swept.jobs).toMatchObject({ started: 1 });
    const done = await waitForJob(client, job.id, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: 'cancelled', cancelRequestedAt: null });
    expect(await creditBalance(em(), user.id)).toBe(100);
  }, 150_000);

  it('a script run cancelled is answered within seconds with its cancel kept, and is cancelled, its credits back, once Temporal answers; told late, the cancel leaves the next run going', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 500 });
    const project = await stuckProject(client, 'Kept cancel');
    const first = await quoteAndRun(client, project.id);
    await waitForProject(client, project.id, { until: sceneRunning });
    const workflowId = workflowIds.script(project.id);
    await keptCancel(client, `/api/scripts/${project.id}`, RUN_CANCEL_DEADLINE_MS, workflowId);

    outage.up();
    expect((await sweep()).signals).toMatchObject({ sent: 1 });
    // Never told, its stuck scenes would run to their deadline.
    const cancelled = await waitForProject(client, project.id, { timeoutMs: 60_000 });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelRequestedAt: null });
    expect(await creditBalance(em(), user.id)).toBe(500);

    // The next run, then the first run's cancel told late (a sweep cut off and run again):
    // its workflow takes it, and the run it does not name goes on.
    await quoteAndRun(client, project.id);
    await waitForProject(client, project.id, { until: sceneRunning });
    const revision = await em().findOneOrFail(ScriptRevision, {
      project: project.id,
      idempotencyKey: first.key,
    });
    await recordUntoldSignals(em(), h.platform.namespace, [
      runCancelSignalFor(project.id, revision.id, user.id),
    ]);
    expect((await sweep()).signals).toMatchObject({ sent: 1 });
    const handle = temporal().workflow.getHandle(workflowId);
    const events = await eventually(
      async () => {
        const all = (await handle.fetchHistory()).events ?? [];
        const told = all.findLastIndex(
          (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'cancelRequested',
        );
        return told !== -1 && all.slice(told).some((e) => e.workflowTaskCompletedEventAttributes)
          ? all.slice(told)
          : null;
      },
      30_000,
      'the late cancel taken by the workflow',
    );
    // Cancelling its scenes would have been commands of that task.
    expect(events.filter((e) => e.requestCancelExternalWorkflowExecutionInitiatedEventAttributes)).toEqual(
      [],
    );
    expect(await json(await client.get(`/api/scripts/${project.id}`))).toMatchObject({
      status: 'running',
      cancelRequestedAt: null,
    });
    const ended = await client.post(`/api/scripts/${project.id}/cancel`);
    expect(await json(ended)).toMatchObject({ status: 'cancelled' });
    expect(await creditBalance(em(), user.id)).toBe(500);
  }, 180_000);

  it('a script run saved while Temporal did not answer and cancelled before the sweep is started and cancelled by it, its credits back', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 500 });
    const project = await stuckProject(client, 'Cancelled unstarted');
    outage.down();
    await quoteAndRun(client, project.id);
    expect(await cancelledBeforeSweep(client, `/api/scripts/${project.id}/cancel`)).toMatchObject({
      status: 'running',
    });

    const swept = await sweep();
    expect(swept.scriptRuns).toMatchObject({ started: 1 });
    expect(swept.signals).toMatchObject({ sent: 1 });
    const done = await waitForProject(client, project.id, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: 'cancelled', cancelRequestedAt: null });
    expect(await creditBalance(em(), user.id)).toBe(500);
  }, 150_000);

  it('a run of the sweep is one activity, whatever it finds: it runs every minute, and each activity is a billed action', async () => {
    await answering();
    const workflowId = `test-unstarted-sweep-${randomUUID()}`;
    await temporal().workflow.execute(unstartedJobSweepWorkflow, {
      taskQueue: TASK_QUEUES.system,
      workflowId,
    });
    const history = await temporal().workflow.getHandle(workflowId).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name)).toEqual([
      'startUnstartedWork',
    ]);
  });

  it('the sweep is scheduled every minute on the system queue', async () => {
    const schedule = await temporal()
      .schedule.getHandle(GENERATION_SCHEDULE_IDS.unstartedJobSweep)
      .describe();
    expect(schedule.spec.intervals?.[0]?.every).toBe(UNSTARTED_JOB_SWEEP_INTERVAL_MS);
    expect(schedule.action).toMatchObject({
      workflowType: 'unstartedJobSweepWorkflow',
      taskQueue: TASK_QUEUES.system,
    });
  });
});
