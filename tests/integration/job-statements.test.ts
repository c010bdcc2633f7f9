// The single statements a generation job's steps are made of (admission: the verdict,
// start and status in one update; submission: the task id and status in one; the
// reservation: the entry and the balance in one; the capture: one insert with no lock;
// the circuit breaker's writes; the end and its audit event in one transaction), each
// checked against the stack's PostgreSQL for what it records and for what it must leave
// alone.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGenerationActivities } from '../../activities/generation/index.ts';
import {
  breakerOpen,
  providerSucceeded,
  recordProviderResult,
  viaBreaker,
} from '../../activities/generation/breaker.ts';
import { GenerationJob } from '../../db/entities/index.ts';
import { FAILURE_TYPES } from '../../domain/failures.ts';
import { CIRCUIT_BREAKER, type JobStatus } from '../../domain/generation.ts';
import type { ProviderName } from '../../domain/models.ts';
import { InsufficientCredits, creditBalance, writeLedger } from '../../stores/billing.ts';
import {
  endJob,
  loadJobWithChecks,
  markQueued,
  markSubmitted,
  recordLiveState,
} from '../../stores/generation.ts';
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
const reserved = async (id: string) => (await loadJobWithChecks(platform.clients.orm, id)).reserved;

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
    expect(await reserved(id)).toBe(false);
    const before = await creditBalance(em(), userId);
    const started = await startJob({ jobId: id, reviewed: false });
    expect(started).toMatchObject({ verdict: 'allow', provider: 'local' });
    expect(await reserved(id)).toBe(true);
    await startJob({ jobId: id, reviewed: true });
    const entries = await em().execute(`select kind from credit_ledger where job_id = ?`, [id]);
    expect(entries).toEqual([{ kind: 'reserve' }]);
    expect(await creditBalance(em(), userId)).toBe(before - 4);
    expect(await row(id)).toMatchObject({ status: 'queued', moderationVerdict: 'allow' });
  });
});

describe('admitting a job in two statements', () => {
  // A provider's breaker of its own (the circuit breaker's tests below use it too, and
  // leave it closed), so no other job is refused meanwhile.
  const provider = 'pika' as ProviderName;
  const pikaJob = async () => {
    const id = await insertJobRow(em(), { userId, status: 'moderating', model: 'pika-2.2', provider });
    await writeLedger(em(), { userId, kind: 'reserve', credits: 4, jobId: id });
    return id;
  };
  /** What `startJob` answers, and how many statements it sent. */
  const admitted = async (jobId: string) => {
    const { startJob } = createGenerationActivities(platform.clients);
    const execute = vi.spyOn(platform.clients.orm.em.getConnection(), 'execute');
    try {
      const answer = await startJob({ jobId, reviewed: false }).catch((err: unknown) => err);
      return { answer, statements: execute.mock.calls.length };
    } finally {
      execute.mockRestore();
    }
  };

  it('reads the job, its reservation and its provider’s breaker at once, then records the start', async () => {
    await em().execute(`delete from provider_health where provider = ?`, [provider]);
    const id = await pikaJob();
    const { answer, statements } = await admitted(id);
    expect(answer).toMatchObject({ verdict: 'allow', provider, fellBack: false });
    expect(statements).toBe(2);
    const entries = await em().execute(`select kind from credit_ledger where job_id = ?`, [id]);
    expect(entries).toEqual([{ kind: 'reserve' }]);
    expect(await row(id)).toMatchObject({ status: 'queued', moderationVerdict: 'allow' });
  });

  it('a submission whose provider’s breaker that read finds open sends nothing and marks no attempt', async () => {
    const id = await pikaJob();
    expect((await admitted(id)).answer).toMatchObject({ verdict: 'allow', provider });
    // Pika configured at an address where nothing listens: a request that went out would
    // fail with the provider's error, not the breaker's.
    const { config } = platform.clients;
    const pika = { ...config.providers.pika, apiKey: 'unused', baseUrl: 'http://127.0.0.1:9' };
    const withPika = { ...config, providers: { ...config.providers, pika } };
    const { submitToProvider } = createGenerationActivities({ ...platform.clients, config: withPika });
    for (let i = 0; i < CIRCUIT_BREAKER.failureThreshold; i++) {
      await recordProviderResult(platform.clients.orm, provider, false);
    }
    try {
      await expect(submitToProvider(id)).rejects.toMatchObject({ type: FAILURE_TYPES.providerUnavailable });
      expect(await row(id)).toMatchObject({ submitAttemptedAt: null, providerTaskId: null });
    } finally {
      await em().execute(`delete from provider_health where provider = ?`, [provider]);
    }
  });

  it('refuses a job whose provider’s breaker that read found open, with no fallback allowed', async () => {
    for (let i = 0; i < CIRCUIT_BREAKER.failureThreshold; i++) {
      await recordProviderResult(platform.clients.orm, provider, false);
    }
    try {
      const id = await pikaJob();
      const { answer } = await admitted(id);
      expect(answer).toMatchObject({ type: FAILURE_TYPES.providerUnavailable });
      expect(await row(id)).toMatchObject({ status: 'moderating', startedAt: null });
    } finally {
      await em().execute(`delete from provider_health where provider = ?`, [provider]);
    }
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

describe('a reservation, in one statement', () => {
  const entries = (jobId: string) =>
    em().execute<{ kind: string }[]>(`select kind from credit_ledger where job_id = ?`, [jobId]);

  it('takes the price once, however often it is written', async () => {
    const owner = (await createAccount(platform, { credits: 10 })).id;
    const id = await insertJobRow(em(), { userId: owner, status: 'moderating' });
    const first = await writeLedger(em(), { userId: owner, kind: 'reserve', credits: 4, jobId: id });
    expect(first).toEqual({ applied: true, balance: 6 });
    const again = await writeLedger(em(), { userId: owner, kind: 'reserve', credits: 4, jobId: id });
    expect(again).toEqual({ applied: false, balance: 6 });
    expect(await entries(id)).toEqual([{ kind: 'reserve' }]);
    expect(await creditBalance(em(), owner)).toBe(6);
  });

  it('is refused when the balance does not cover it, leaving no entry and the balance as it was', async () => {
    const owner = (await createAccount(platform, { credits: 3 })).id;
    const id = await insertJobRow(em(), { userId: owner, status: 'moderating' });
    const refused = writeLedger(em(), { userId: owner, kind: 'reserve', credits: 4, jobId: id });
    await expect(refused).rejects.toBeInstanceOf(InsufficientCredits);
    await expect(refused).rejects.toMatchObject({ balance: 3, needed: 4 });
    // Inside a caller's transaction too (the job's creation): the refusal rolls it all back.
    const inside = em().transactional((tx) =>
      writeLedger(tx, { userId: owner, kind: 'reserve', credits: 4, jobId: id }),
    );
    await expect(inside).rejects.toBeInstanceOf(InsufficientCredits);
    expect(await entries(id)).toEqual([]);
    expect(await creditBalance(em(), owner)).toBe(3);
  });

  it('at once for many jobs, takes exactly what the balance covers', async () => {
    const owner = (await createAccount(platform, { credits: 40 })).id;
    const ids = await Promise.all(
      Array.from({ length: 20 }, () => insertJobRow(em(), { userId: owner, status: 'moderating' })),
    );
    const results = await Promise.allSettled(
      ids.map((id) => writeLedger(em(), { userId: owner, kind: 'reserve', credits: 4, jobId: id })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const refusals = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
    expect(refusals).toHaveLength(10);
    expect(refusals.every((r) => r instanceof InsufficientCredits)).toBe(true);
    expect(await creditBalance(em(), owner)).toBe(0);
    const reserves = await em().execute<{ n: number }[]>(
      `select count(*)::int as n from credit_ledger where user_id = ? and kind = 'reserve'`,
      [owner],
    );
    expect(reserves).toEqual([{ n: 10 }]);
  });

  it('gives credits back once, answering with the new balance', async () => {
    const owner = (await createAccount(platform, { credits: 10 })).id;
    const id = await insertJobRow(em(), { userId: owner, status: 'moderating' });
    await writeLedger(em(), { userId: owner, kind: 'reserve', credits: 4, jobId: id });
    const released = await writeLedger(em(), { userId: owner, kind: 'release', credits: 4, jobId: id });
    expect(released).toEqual({ applied: true, balance: 10 });
    const again = await writeLedger(em(), { userId: owner, kind: 'release', credits: 4, jobId: id });
    expect(again).toEqual({ applied: false, balance: 10 });
    expect(await creditBalance(em(), owner)).toBe(10);
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

  it('a success carried by the call’s own record (a poll’s live state, a submission) closes it in that one statement', async () => {
    const openBreaker = async () => {
      for (let i = 0; i < CIRCUIT_BREAKER.failureThreshold; i++) {
        await recordProviderResult(platform.clients.orm, provider, false);
      }
      expect(await breakerOpen(platform.clients.orm, provider)).toBe(true);
    };
    const counted = async (run: () => Promise<unknown>) => {
      const execute = vi.spyOn(platform.clients.orm.em.getConnection(), 'execute');
      try {
        await run();
        return execute.mock.calls.length;
      } finally {
        execute.mockRestore();
      }
    };
    const polled = await job('submitted');
    await openBreaker();
    const pollStatements = await counted(() =>
      viaBreaker(
        platform.clients.orm,
        provider,
        async () => ({ progress: 0.5 }),
        (task, success) => recordLiveState(em(), polled, { status: 'running', ...task }, success),
      ),
    );
    expect(pollStatements).toBe(1);
    expect(await breakerOpen(platform.clients.orm, provider)).toBe(false);
    expect((await health())?.consecutive_failures).toBe(0);
    expect(await row(polled)).toMatchObject({ status: 'running', progress: 0.5 });

    const sent = await job('queued');
    await openBreaker();
    const entry = { userId, jobId: sent, provider, taskId: `task-${randomUUID()}`, inputCount: 0 };
    expect(await counted(() => markSubmitted(em(), entry, providerSucceeded(provider)))).toBe(1);
    expect(await breakerOpen(platform.clients.orm, provider)).toBe(false);
    expect(await row(sent)).toMatchObject({ status: 'submitted', providerTaskId: entry.taskId });
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

describe('ending a job with its audit event', () => {
  const end = { status: 'succeeded', failureCode: null, failureReason: null, creditsCharged: 4 } as const;
  const audit = (id: string) => ({
    action: 'job.succeeded',
    actorRole: 'system',
    targetType: 'job',
    targetId: id,
    subjectUserId: userId,
  });
  const events = (id: string) =>
    em().execute<{ action: string }[]>(`select action from audit_events where target_id = ?`, [id]);

  it('[S-AUDIT] ends the job and records its event in one transaction, once', async () => {
    const id = await job('saving');
    expect(await endJob(em(), id, end, audit(id))).toBe(true);
    // A retried finish finds the job ended and writes nothing.
    expect(await endJob(em(), id, end, audit(id))).toBe(false);
    expect(await row(id)).toMatchObject({ status: 'succeeded', creditsCharged: 4, progress: 1 });
    expect((await row(id)).finishedAt).toBeInstanceOf(Date);
    expect(await events(id)).toEqual([{ action: 'job.succeeded' }]);
  });

  it('[S-AUDIT] leaves the job unended when its event cannot be written, so the retry ends and audits it', async () => {
    const id = await job('saving');
    // Details that JSON cannot hold: the append fails after the update has run.
    await expect(endJob(em(), id, end, { ...audit(id), details: { bytes: 1n } })).rejects.toThrow(/BigInt/);
    expect(await row(id)).toMatchObject({ status: 'saving', finishedAt: null });
    expect(await events(id)).toEqual([]);
    expect(await endJob(em(), id, end, audit(id))).toBe(true);
    expect(await events(id)).toEqual([{ action: 'job.succeeded' }]);
  });
});
