// The single statements a generation job's steps are made of (admission: the verdict,
// start and status in one update; submission: the task id and status in one; the
// capture: one insert with no lock; the circuit breaker's writes), each checked against
// the stack's PostgreSQL for what it records and for what it must leave alone.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerationActivities } from '../../activities/generation/index.ts';
import { breakerOpen, recordProviderResult } from '../../activities/generation/breaker.ts';
import { GenerationJob } from '../../db/entities/index.ts';
import { CIRCUIT_BREAKER, type JobStatus } from '../../domain/generation.ts';
import type { ProviderName } from '../../domain/models.ts';
import { creditBalance, hasReservation, writeLedger } from '../../stores/billing.ts';
import { markQueued, markSubmitted } from '../../stores/generation.ts';
import { createAccount } from '../support/accounts.ts';
import { insertJobRow } from '../support/generation.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let userId: string;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
  userId = (await createAccount(platform, { credits: 100 })).id;
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();
const row = (id: string) => em().findOneOrFail(GenerationJob, { id });

const job = (status: JobStatus, prompt?: string) => insertJobRow(em(), { userId, status, prompt });

describe('admitting a job in one update', () => {
  it('[S-MOD] records the verdict, the start once and the queued status', async () => {
    const id = await job('moderating');
    await markQueued(em(), id, { verdict: 'allow', categories: [] });
    const first = await row(id);
    expect(first).toMatchObject({ status: 'queued', moderationVerdict: 'allow', moderationCategories: [] });
    expect(first.startedAt).toBeInstanceOf(Date);
    // A retried step (or a person's approval after a hold) keeps the first start time.
    await markQueued(em(), id);
    const again = await row(id);
    expect(again.startedAt).toEqual(first.startedAt);
    expect(again.moderationVerdict).toBe('allow');
  });

  it('never reopens a job that has ended', async () => {
    const id = await job('cancelled');
    await markQueued(em(), id, { verdict: 'allow', categories: [] });
    expect(await row(id)).toMatchObject({ status: 'cancelled' });
  });

  it('[S-MOD] a refused prompt is recorded as refused, and the job is neither started nor queued', async () => {
    const { startJob } = createGenerationActivities(platform.clients);
    const id = await job('moderating', 'a deepfake video of my neighbour');
    const answer = await startJob({ jobId: id, reviewed: false });
    expect(answer.verdict).toBe('refuse');
    const refused = await row(id);
    expect(refused.moderationVerdict).toBe('refuse');
    expect(refused.status).toBe('moderating');
    expect(refused.startedAt).toBeNull();
  });
});

describe('a job the API created', () => {
  it('is admitted without a second reservation: one reserve entry, the balance taken once', async () => {
    const { startJob } = createGenerationActivities(platform.clients);
    const id = await job('moderating');
    expect(await hasReservation(em(), id)).toBe(false);
    const before = await creditBalance(em(), userId);
    const started = await startJob({ jobId: id, reviewed: false });
    expect(started).toMatchObject({ verdict: 'allow', provider: 'local' });
    expect(await hasReservation(em(), id)).toBe(true);
    await startJob({ jobId: id, reviewed: true });
    const entries = await em().execute(`select kind from credit_ledger where job_id = ?`, [id]);
    expect(entries).toEqual([{ kind: 'reserve' }]);
    expect(await creditBalance(em(), userId)).toBe(before - 4);
    expect(await row(id)).toMatchObject({ status: 'queued', moderationVerdict: 'allow' });
  });
});

describe('recording a submission in one statement', () => {
  const entry = (jobId: string, taskId: string) => ({
    userId,
    jobId,
    provider: 'luma',
    taskId,
    inputCount: 1,
  });
  const recipients = (jobId: string) =>
    em().execute<{ provider: string; provider_task_id: string; data_categories: string[] }[]>(
      `select provider, provider_task_id, data_categories from data_recipients where job_id = ?`,
      [jobId],
    );

  it('[D-RECIPIENTS] sets the task id and the submitted status, clears the attempt mark, and records the recipient once', async () => {
    const id = await job('queued');
    const taskId = `task-${randomUUID()}`;
    await em().nativeUpdate(GenerationJob, { id }, { submitAttemptedAt: new Date() });
    await markSubmitted(em(), entry(id, taskId));
    const saved = await row(id);
    expect(saved).toMatchObject({ status: 'submitted', providerTaskId: taskId, submitAttemptedAt: null });
    expect(saved.submittedAt).toBeInstanceOf(Date);
    // A retried step (its answer lost) records the same recipient once.
    await markSubmitted(em(), entry(id, taskId));
    expect(await recipients(id)).toEqual([
      { provider: 'luma', provider_task_id: taskId, data_categories: ['prompt', 'input_images'] },
    ]);
  });

  it('keeps an ended job’s status, and still records its task for cancellation', async () => {
    const id = await job('cancelled');
    const taskId = `task-${randomUUID()}`;
    await markSubmitted(em(), entry(id, taskId));
    expect(await row(id)).toMatchObject({ status: 'cancelled', providerTaskId: taskId });
    expect(await recipients(id)).toHaveLength(1);
  });
});

describe('a capture, which changes no balance', () => {
  it('[R-PAY-7Y] is written once, and answers with the balance', async () => {
    const id = await job('saving');
    await writeLedger(em(), { userId, kind: 'reserve', credits: 4, jobId: id });
    const balance = await creditBalance(em(), userId);
    const first = await writeLedger(em(), { userId, kind: 'capture', credits: 4, jobId: id });
    expect(first).toEqual({ applied: true, balance });
    const again = await writeLedger(em(), { userId, kind: 'capture', credits: 4, jobId: id });
    expect(again).toEqual({ applied: false, balance });
    const entries = await em().execute<{ kind: string; amount: number; credits: number }[]>(
      `select kind, amount, credits from credit_ledger where job_id = ? order by id`,
      [id],
    );
    expect(entries.map((e) => [e.kind, Number(e.amount), Number(e.credits)])).toEqual([
      ['reserve', -4, 4],
      ['capture', 0, 4],
    ]);
    expect(await creditBalance(em(), userId)).toBe(balance);
  });

  it('is refused for someone who has no account', async () => {
    const id = await job('saving');
    await expect(
      writeLedger(em(), { userId: randomUUID(), kind: 'capture', credits: 4, jobId: id }),
    ).rejects.toThrow();
  });
});

describe('the circuit breaker', () => {
  // A provider name of its own, so no other test's jobs touch this row.
  const provider = 'pika' as ProviderName;
  const health = async () =>
    (
      await em().execute<{ consecutive_failures: number; last_success_at: Date | null; xmin: string }[]>(
        `select consecutive_failures, last_success_at, xmin::text from provider_health where provider = ?`,
        [provider],
      )
    )[0];

  it('opens after the threshold of failures in a row and closes on the next success', async () => {
    await em().execute(`delete from provider_health where provider = ?`, [provider]);
    await recordProviderResult(platform.clients.orm, provider, true);
    expect(await health()).toBeUndefined();
    for (let i = 1; i < CIRCUIT_BREAKER.failureThreshold; i++) {
      await recordProviderResult(platform.clients.orm, provider, false);
    }
    expect(await breakerOpen(platform.clients.orm, provider)).toBe(false);
    await recordProviderResult(platform.clients.orm, provider, false);
    expect(await breakerOpen(platform.clients.orm, provider)).toBe(true);
    await recordProviderResult(platform.clients.orm, provider, true);
    expect(await breakerOpen(platform.clients.orm, provider)).toBe(false);
    const closed = await health();
    expect(closed?.consecutive_failures).toBe(0);
    expect(closed?.last_success_at).not.toBeNull();
    // A success against a healthy provider writes nothing: the row's version stays.
    await recordProviderResult(platform.clients.orm, provider, true);
    expect((await health())?.xmin).toBe(closed?.xmin);
  });

  it('a success ends a run of failures below the threshold', async () => {
    await recordProviderResult(platform.clients.orm, provider, false);
    await recordProviderResult(platform.clients.orm, provider, false);
    await recordProviderResult(platform.clients.orm, provider, true);
    for (let i = 1; i < CIRCUIT_BREAKER.failureThreshold; i++) {
      await recordProviderResult(platform.clients.orm, provider, false);
    }
    expect(await breakerOpen(platform.clients.orm, provider)).toBe(false);
    await em().execute(`delete from provider_health where provider = ?`, [provider]);
  });
});
