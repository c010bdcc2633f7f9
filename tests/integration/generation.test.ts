import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Asset, CreditLedgerEntry, DeletionProof, GenerationJob, User } from '../../db/entities/index.ts';
import { creditBalance, jobCredits } from '../../stores/billing.ts';
import { findModel, quoteCredits } from '../../domain/models.ts';
import { RATE_LIMITS } from '../../domain/accounts.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { createJobBody } from '../../domain/contracts/generation.ts';
import { createJob as createJobFor } from '../../use-cases/generation.ts';
import { signIn, signedIn } from '../support/accounts.ts';
import {
  createJob,
  jobRequest,
  startGenerationHarness,
  waitForJob,
  type GenerationHarness,
} from '../support/generation.ts';
import { json } from '../support/http.ts';
import { PROMPT_MARKERS } from '../support/simulator/index.ts';
import { scaledDurations } from '../support/durations.ts';
import { endedRuns } from '../support/workflow-runs.ts';

const run = promisify(execFile);
const ffprobe = (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path;

let h: GenerationHarness;
beforeAll(async () => {
  // Short job timeouts; a 7-day output still outlives the test by far.
  h = await startGenerationHarness({ DURATION_OVERRIDES: scaledDurations(0.01) });
});
afterAll(async () => {
  await h?.stop();
});
const em = () => h.platform.clients.orm.em.fork();

async function probe(url: string) {
  const { stdout } = await run(ffprobe, [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    url,
  ]);
  const info = JSON.parse(stdout) as {
    format: { duration: string };
    streams: { codec_type: string; width: number; height: number }[];
  };
  const video = info.streams.find((s) => s.codec_type === 'video')!;
  return { duration: Number(info.format.duration), width: video.width, height: video.height };
}

describe('generation with the local renderer', () => {
  it('[R-TEMP] makes a real video, stores it with its 7-day timer, charges exactly the price and deletes the temporary render', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 20 });
    const body = jobRequest({ durationSeconds: 2, resolution: '540p', aspectRatio: '16:9' });
    const quote = await json(await client.post('/api/quotes', body));
    expect(quote.credits).toBe(
      quoteCredits(findModel('local-v1')!, { durationSeconds: 2, resolution: '540p' }),
    );

    const created = await createJob(client, { ...body, quoteId: quote.quoteId });
    expect(created.status).toBe(201);
    const job = await json(created);
    const done = await waitForJob(client, job.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      progress: 1,
      credits: { quoted: quote.credits, charged: quote.credits },
    });
    expect(done.output.assetId).toBeTruthy();
    expect(new Date(done.output.deleteAt).getTime()).toBeGreaterThan(Date.now());

    // The video plays: its length and size, read by ffprobe from a download link.
    const download = await json(await client.get(`/api/assets/${done.output.assetId}/download`));
    const info = await probe(download.url);
    expect(info.duration).toBeGreaterThan(1.9);
    expect(info.duration).toBeLessThan(2.2);
    expect([info.width, info.height]).toEqual([960, 540]);

    // Credits: reserved = captured, nothing released, balance exact.
    expect(await jobCredits(em(), job.id)).toEqual({
      reserved: quote.credits,
      captured: quote.credits,
      released: 0,
    });
    expect(await creditBalance(em(), user.id)).toBe(20 - quote.credits);

    // The temporary render was deleted, with proof, when the job finished.
    const temps = await em().find(Asset, { jobId: job.id, kind: 'temp' });
    expect(temps).toHaveLength(1);
    expect(temps[0]!.status).toBe('deleted');
    expect(await em().count(DeletionProof, { assetId: temps[0]!.id, reason: 'job_finished' })).toBe(1);

    // The output's retention workflow runs, found by its id.
    const retention = h.platform.clients.temporal.client.workflow.getHandle(
      `retention-${done.output.assetId}`,
    );
    expect((await retention.describe()).status.name).toBe('RUNNING');
  });

  it('answers a repeated Idempotency-Key with the same job, and refuses it for another request', async () => {
    const { client } = await signedIn(h.platform, { credits: 20 });
    const body = jobRequest();
    const key = randomUUID();
    const first = await createJob(client, body, key);
    const second = await createJob(client, body, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    const [a, b] = [await json(first), await json(second)];
    expect(b.id).toBe(a.id);
    expect(await em().count(GenerationJob, { idempotencyKey: key })).toBe(1);
    expect(await em().count(CreditLedgerEntry, { jobId: a.id, kind: 'reserve' })).toBe(1);
    const other = await createJob(client, { ...body, prompt: 'something else entirely' }, key);
    expect(other.status).toBe(409);
    expect((await json(other)).error.code).toBe('idempotency_key_reused');
    await waitForJob(client, a.id);

    // Sent again after the job ended: the same job, and its workflow is not run a second time.
    const late = await createJob(client, body, key);
    expect(late.status).toBe(200);
    expect((await json(late)).status).toBe('succeeded');
    expect(await endedRuns(h.platform.clients.temporal.client, workflowIds.generation(a.id))).toEqual([
      'COMPLETED',
    ]);
  });

  it('makes one job of simultaneous requests with the same Idempotency-Key, reserved and audited once', async () => {
    const { user } = await signedIn(h.platform, { credits: 20 });
    const body = createJobBody.parse(jobRequest());
    const key = randomUUID();
    // Through the use case with eight database connections open and idle, so every call
    // looks the key up before any has inserted it, and all but one lose the race at the
    // insert. Over HTTP, or with a connection to open each, the first call has made the
    // job before the others look, and nothing races.
    await Promise.all(
      Array.from({ length: 8 }, () => h.platform.clients.orm.em.fork().execute('select pg_sleep(0.05)')),
    );
    const created = await Promise.all(
      Array.from({ length: 8 }, () => createJobFor(h.platform.clients, user, key, body)),
    );
    expect(created.map((c) => c.replayed).sort()).toEqual([false, true, true, true, true, true, true, true]);
    const ids = new Set(created.map((c) => c.view.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(await em().count(GenerationJob, { user: user.id })).toBe(1);
    expect(await em().count(CreditLedgerEntry, { jobId: id, kind: 'reserve' })).toBe(1);
    const [events] = await em().execute<{ count: string }[]>(
      "select count(*) from audit_events where action = 'job.created' and target_id = ?",
      [id],
    );
    expect(Number(events!.count)).toBe(1);
    await waitForJob(await signIn(h.platform, user), id!);
  });

  it('names the field a model does not support, and needs an Idempotency-Key', async () => {
    const { client } = await signedIn(h.platform, { credits: 20 });
    const bad = await createJob(client, jobRequest({ durationSeconds: 7, resolution: '4k' }));
    expect(bad.status).toBe(400);
    const fields = (await json(bad)).error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['durationSeconds', 'resolution']));
    const noKey = await client.post('/api/jobs', jobRequest());
    expect(noKey.status).toBe(400);
    expect((await json(noKey)).error.fields[0].field).toBe('Idempotency-Key');
  });

  it('[S-RATE] limits job creation per account: past the limit in a window, 429 with Retry-After', async () => {
    const { limit, windowMs } = RATE_LIMITS.generation;
    const { client } = await signedIn(h.platform, { credits: 0 });
    const other = await signedIn(h.platform, { credits: 0 });
    // Requests the limit counts whatever they carry: these ones (no credits) make no job.
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await createJob(client, jobRequest())).status);
    expect(statuses.every((s) => s === 402)).toBe(true);
    const refused = await createJob(client, jobRequest());
    expect(refused.status).toBe(429);
    expect((await json(refused)).error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(windowMs / 1000);
    // Another account is not held back by it.
    expect((await createJob(other.client, jobRequest())).status).toBe(402);
  });

  it('accepts exactly as many of 50 simultaneous jobs as the balance pays for, never going negative', async () => {
    const price = quoteCredits(findModel('local-v1')!, { durationSeconds: 2, resolution: '540p' });
    const { user, client } = await signedIn(h.platform, { credits: price * 10 });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => createJob(client, jobRequest({ prompt: 'same prompt for all' }))),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(40);
    expect(await creditBalance(em(), user.id)).toBe(0);
    const [row] = await em().execute<{ sum: string }[]>(
      'select coalesce(sum(amount), 0) as sum from credit_ledger where user_id = ?',
      [user.id],
    );
    expect(Number(row!.sum)).toBe(0);
    // A refused job leaves nothing: no row, and no event saying it was created.
    expect(await em().count(GenerationJob, { user: user.id })).toBe(10);
    const [events] = await em().execute<{ count: string }[]>(
      "select count(*) from audit_events where action = 'job.created' and subject_user_id = ?",
      [user.id],
    );
    expect(Number(events!.count)).toBe(10);
    // Let them run, so the next tests' jobs are not queued behind them.
    const accepted = await Promise.all(answers.filter((r) => r.status === 201).map((r) => json(r)));
    for (const job of accepted) await waitForJob(client, job.id, { timeoutMs: 120_000 });
  }, 180_000);

  it('cancels a job while it renders: final state in the answer, credits back, no objects left', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 100 });
    const job = await json(await createJob(client, jobRequest({ durationSeconds: 10, resolution: '1080p' })));
    await waitForJob(client, job.id, { until: (j) => j.status === 'running' });
    const cancel = await client.post(`/api/jobs/${job.id}/cancel`);
    expect(cancel.status).toBe(200);
    const final = await json(cancel);
    expect(final.status).toBe('cancelled');
    expect(final.failure.code).toBe('cancelled');
    expect(await creditBalance(em(), user.id)).toBe(100);
    const credits = await jobCredits(em(), job.id);
    expect(credits.reserved).toBe(credits.released);
    const assets = await em().find(Asset, { jobId: job.id });
    expect(assets.every((a) => a.status === 'deleted')).toBe(true);
    expect((await client.post(`/api/jobs/${job.id}/cancel`)).status).toBe(409);
  }, 60_000);

  it('[S-MOD] refuses a clear violation before any work, with the reason, and returns the credits', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 20 });
    const job = await json(
      await createJob(client, jobRequest({ prompt: 'a deepfake of my neighbour giving a speech' })),
    );
    const done = await waitForJob(client, job.id);
    expect(done.status).toBe('rejected');
    expect(done.failure.code).toBe('moderation_refused');
    expect(await creditBalance(em(), user.id)).toBe(20);
  });

  it('[S-MOD] holds a borderline prompt for a person, who approves it', async () => {
    const { client } = await signedIn(h.platform, { credits: 20 });
    const support = await signedIn(h.platform, { role: 'support', mfa: true });
    const job = await json(
      await createJob(client, jobRequest({ prompt: 'a famous singer on a stage at night' })),
    );
    const held = await waitForJob(client, job.id, { until: (j) => j.status === 'awaiting_review' });
    expect(held.message).toMatch(/review/);
    const queue = await json(await support.client.get('/api/moderation/queue'));
    expect(queue.jobs.map((j: { id: string }) => j.id)).toContain(job.id);
    const creator = await signedIn(h.platform);
    expect((await creator.client.get('/api/moderation/queue')).status).toBe(403);
    const decision = await support.client.post(`/api/moderation/jobs/${job.id}/decision`, {
      approve: true,
      reason: 'fictional performer',
    });
    expect(decision.status).toBe(200);
    expect((await waitForJob(client, job.id)).status).toBe('succeeded');
  });

  it('[S-MOD] ends a held job that a person rejects, with credits back', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 20 });
    const admin = await signedIn(h.platform, { role: 'admin', mfa: true });
    const job = await json(await createJob(client, jobRequest({ prompt: 'a politician in a rainy street' })));
    await waitForJob(client, job.id, { until: (j) => j.status === 'awaiting_review' });
    await admin.client.post(`/api/moderation/jobs/${job.id}/decision`, {
      approve: false,
      reason: 'identifiable real person',
    });
    const done = await waitForJob(client, job.id);
    expect(done).toMatchObject({ status: 'rejected', failure: { code: 'review_rejected' } });
    expect(await creditBalance(em(), user.id)).toBe(20);
  });

  it('[D-RESTRICT] refuses new jobs while processing is restricted, and says why', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 20 });
    await em().nativeUpdate(User, { id: user.id }, { restrictedAt: new Date() });
    const res = await createJob(client, jobRequest());
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('processing_restricted');
  });

  it('streams progress as server-sent events until the job ends', async () => {
    const { client } = await signedIn(h.platform, { credits: 20 });
    const job = await json(await createJob(client, jobRequest()));
    const res = await client.get(`/api/jobs/${job.id}/events`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const events = text
      .split('\n\n')
      .filter((e) => e.startsWith('event: progress'))
      .map((e) => JSON.parse(e.split('\ndata: ')[1]!));
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1).status).toBe('succeeded');
  });
});

describe('generation through providers (simulator)', () => {
  const runwayInput = async (client: Parameters<typeof createJob>[0]) => {
    // Runway Gen-4 Turbo animates an image: upload one first.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'frame.png');
    const res = await fetch(`${h.platform.api.url}/api/assets`, {
      method: 'POST',
      body: form,
      headers: {
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': client.csrfToken!,
        'x-forwarded-for': client.ip,
      },
    });
    expect(res.status).toBe(201);
    return (await json(res)).id as string;
  };

  it('completes by polling when the webhook is lost, submitting the task once', async () => {
    const { client } = await signedIn(h.platform, { credits: 200 });
    const prompt = `a lighthouse in fog ${PROMPT_MARKERS.loseWebhook} ${randomUUID()}`;
    const job = await json(
      await createJob(
        client,
        jobRequest({ modelId: 'luma-ray-flash-2', prompt, durationSeconds: 5, resolution: '540p' }),
      ),
    );
    const done = await waitForJob(client, job.id, { timeoutMs: 60_000 });
    expect(done.failure).toBeNull();
    expect(done.status).toBe('succeeded');
    const tasks = h.simulator.tasks('luma').filter((t) => t.prompt?.includes(prompt));
    expect(tasks).toHaveLength(1);
  }, 90_000);

  it('retries 429 and 5xx answers and succeeds', async () => {
    const { client } = await signedIn(h.platform, { credits: 200 });
    h.simulator.setFaults({ failNext: { count: 2, status: 429, retryAfterSeconds: 1 } }, 'luma');
    const job = await json(
      await createJob(
        client,
        jobRequest({ modelId: 'luma-ray-flash-2', durationSeconds: 5, resolution: '540p' }),
      ),
    );
    h.simulator.setFaults({ failNext: { count: 2, status: 503 } }, 'luma');
    const done = await waitForJob(client, job.id, { timeoutMs: 60_000 });
    expect(done.status).toBe('succeeded');
    h.simulator.resetFaults();
  }, 90_000);

  it('refunds in full when the provider refuses the video after rendering it', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 200 });
    const imageId = await runwayInput(client);
    const job = await json(
      await createJob(
        client,
        jobRequest({
          modelId: 'runway-gen4-turbo',
          prompt: `a dancer ${PROMPT_MARKERS.moderateOutput}`,
          durationSeconds: 5,
          resolution: '720p',
          inputs: [{ assetId: imageId, role: 'first_frame' }],
        }),
      ),
    );
    const done = await waitForJob(client, job.id, { timeoutMs: 60_000 });
    expect(done).toMatchObject({
      status: 'rejected',
      failure: { code: 'moderation_output' },
      credits: { charged: 0 },
    });
    expect(await creditBalance(em(), user.id)).toBe(200);
  }, 90_000);
});

describe('provider health and fallback', () => {
  it('opens the circuit breaker after repeated failures and falls back, when allowed, at no higher price', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 500 });
    // Seedance fails every request until its breaker opens.
    h.simulator.setFaults({ failNext: { count: 1000, status: 503 } }, 'seedance');
    const request = (fallbackAllowed: boolean) =>
      jobRequest({
        modelId: 'seedance-2.0',
        durationSeconds: 5,
        resolution: '720p',
        prompt: `a harbour ${randomUUID()}`,
        fallbackAllowed,
      });
    const first = await json(await createJob(client, request(false)));
    const failed = await waitForJob(client, first.id, { timeoutMs: 90_000 });
    expect(failed).toMatchObject({ status: 'failed', failure: { code: 'provider_unavailable' } });

    const quote = await json(await client.post('/api/quotes', request(true)));
    expect(quote.fallbacks.length).toBeGreaterThan(0);
    expect(quote.fallbacks.every((f: { difference: number }) => f.difference <= 0)).toBe(true);

    const second = await json(await createJob(client, request(true)));
    const done = await waitForJob(client, second.id, { timeoutMs: 90_000 });
    expect(done.status).toBe('succeeded');
    expect(done.fellBackFrom).toBe('seedance-2.0');
    expect(done.model.provider).not.toBe('seedance');
    // Charged the fallback's price, never more than reserved; the difference came back.
    const credits = await jobCredits(em(), second.id);
    expect(credits.captured).toBeLessThanOrEqual(credits.reserved);
    expect(credits.reserved).toBe(credits.captured + credits.released);
    expect(done.credits.charged).toBe(credits.captured);

    // Without consent to a fallback, the job ends with its credits back instead.
    const third = await json(await createJob(client, request(false)));
    expect((await waitForJob(client, third.id)).failure.code).toBe('provider_unavailable');
    h.simulator.resetFaults();
    const balance = await creditBalance(em(), user.id);
    expect(balance).toBe(500 - credits.captured);
  }, 240_000);
});
