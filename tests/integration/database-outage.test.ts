// What the platform does while PostgreSQL does not answer: a failover, a restart, a
// network partition. The platform here reaches the stack's database through a
// pass-through that a test takes down (every connection reset) and brings back. Before,
// every request answered 500 `internal`; a job whose video was made while the database
// was down failed within 30 s as the provider's fault (`provider_failed`); and each
// transaction cut by the outage kept its pooled connection for good, so after ten of them
// every statement of the process waited on the pool until it was restarted.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreditLedgerEntry, GenerationJob } from '../../db/entities/index.ts';
import { neverSent } from '../../db/lost-connections.ts';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
import { OUTPUT_COPY_ATTEMPTS } from '../../domain/generation.ts';
import { MEDIA_ATTEMPTS } from '../../domain/script.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import { eventually } from '../support/assets.ts';
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
import { PROMPT_MARKERS } from '../support/simulator/index.ts';
import { startOutage, type Outage } from '../support/outage.ts';
import { MEDIA_STEPS, runToMediaSteps, waitForProject } from '../support/script.ts';

let outage: Outage;
let h: GenerationHarness;
let creator: TestAccount;
beforeAll(async () => {
  const database = new URL(inject('stackEnv').DATABASE_URL!);
  outage = await startOutage(`${database.hostname}:${database.port}`);
  database.host = outage.address;
  h = await startGenerationHarness({ DATABASE_URL: database.toString() });
  creator = await signedIn(h.platform, { credits: 100 });
});
afterEach(() => outage.up());
afterAll(async () => {
  outage?.up();
  await h?.stop();
  await outage?.close();
});
const orm = () => h.platform.clients.orm;
// Whether statements are answered within `ms`. A pool that kept its connections never
// answers; right after an outage, a statement may meet a pooled connection the outage
// reset before the pool has read the reset, and fail at once if it reached the server
// (one that never did is sent again): the pool drops it, and the next one is tried.
const answers = async (ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      orm()
        .em.getConnection()
        .execute('select 1')
        .then(
          () => 'answered' as const,
          () => 'failed' as const,
        ),
      new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), deadline - Date.now()))),
    ]);
    clearTimeout(timer);
    if (outcome !== 'failed') return outcome === 'answered';
  }
  return false;
};

/**
 * The pool filled with idle connections, all reset at once by the outage (up again at
 * once), then `take` called as many times in one tick: each meets a connection whose
 * reset the pool has not read yet. How each call ended.
 */
const afterIdleReset = async (take: (i: number) => Promise<unknown>) => {
  const { poolMax } = h.platform.config.database;
  await Promise.allSettled(
    Array.from({ length: poolMax }, () => orm().em.getConnection().execute('select pg_sleep(0.05)')),
  );
  outage.down();
  outage.up();
  return Promise.allSettled(Array.from({ length: poolMax }, (_, i) => take(i)));
};

/**
 * A transaction that sleeps `seconds` in a statement: its backend's pid once it runs, and
 * its end (null when it committed, else its error; a BEGIN that fails never gives a pid).
 */
const sleepingTransaction = (seconds: number) => {
  let backend!: (pid: number) => void;
  const pid = new Promise<number>((resolve) => (backend = resolve));
  const ended = orm()
    .em.fork()
    .transactional(async (em) => {
      const [row] = await em.execute<Array<{ pid: number }>>('select pg_backend_pid() as pid');
      backend(row!.pid);
      await em.execute('select pg_sleep(?)', [seconds]);
    })
    .then(
      () => null,
      (err: unknown) => err,
    );
  return { pid, ended };
};

// The api answering again, once the pass-through takes connections: a statement, or a
// transaction's BEGIN, that met a pooled connection the outage reset is sent again.
const apiAnswers = () =>
  eventually(async () => (await creator.client.get('/api/jobs')).status === 200, 5_000, 'the api answering');

describe('while the database does not answer', () => {
  it('a request answers 503 service_unavailable at once, keeps nothing, and is answered again as soon as the database is back', async () => {
    outage.down();
    const listed = await creator.client.get('/api/jobs');
    expect(listed.status).toBe(503);
    expect(await json(listed)).toMatchObject({ error: { code: 'service_unavailable' } });
    const key = randomUUID();
    const created = await createJob(creator.client, jobRequest(), key);
    expect(created.status).toBe(503);
    expect(await json(created)).toMatchObject({ error: { code: 'service_unavailable' } });
    const ready = await h.platform.fetch('/readyz');
    expect(ready.status).toBe(503);
    expect((await json(ready)).checks.postgres.ok).toBe(false);

    outage.up();
    await apiAnswers();
    // The create that failed kept no job, and the same key now makes one.
    expect(await orm().em.fork().count(GenerationJob, { user: creator.user.id, idempotencyKey: key })).toBe(
      0,
    );
    expect((await createJob(creator.client, jobRequest(), key)).status).toBe(201);
  });

  it('transactions cut by the outage give their connections back: more of them than the pool holds, and statements still answer', async () => {
    // Cut mid-statement, or (an idle connection the cut left dead) at BEGIN: either kept
    // its connection before.
    let failed = 0;
    while (failed < h.platform.config.database.poolMax + 2) {
      const transaction = sleepingTransaction(1);
      const pid = await Promise.race([transaction.pid, transaction.ended]);
      if (typeof pid === 'number') {
        // Down once the statement runs on the server.
        await eventually(
          async () =>
            (
              await orm()
                .em.getConnection()
                .execute<Array<{ state: string }>>(
                  "select state from pg_stat_activity where pid = ? and query like 'select pg_sleep%'",
                  [pid],
                )
            )[0]?.state === 'active',
          5_000,
          'the statement running',
        );
        outage.down();
      }
      expect(await transaction.ended).toBeInstanceOf(Error);
      failed++;
      outage.up();
    }
    expect(await answers(5_000)).toBe(true);
    await apiAnswers();
  });

  it('a transaction whose BEGIN met a connection the outage left dead begins again on another, and answers', async () => {
    for (let round = 0; round < 5; round++) {
      const begun = await afterIdleReset(() =>
        orm()
          .em.fork()
          .transactional((em) => em.execute('select 1')),
      );
      expect(begun.filter((b) => b.status === 'rejected')).toEqual([]);
    }
    // Each lost connection was given back: the pool still answers.
    expect(await answers(5_000)).toBe(true);
  });

  it('a statement outside a transaction that met a connection the outage left dead is sent again on another, and answers', async () => {
    for (let round = 0; round < 5; round++) {
      // Reads and writes, neither in a transaction.
      const sent = await afterIdleReset((i) =>
        i % 2 === 0
          ? orm().em.getConnection().execute('select 1')
          : orm().em.fork().nativeUpdate(GenerationJob, { id: randomUUID() }, { progress: 0 }),
      );
      expect(sent.filter((s) => s.status === 'rejected')).toEqual([]);
    }
  });

  it('neverSent tells a statement that never left from one that may have reached the server', () => {
    const socket = (code: string, syscall: string) =>
      Object.assign(new Error(`${syscall} ${code}`), { code, syscall });
    expect(neverSent(socket('ECONNRESET', 'write'))).toBe(true);
    expect(neverSent(socket('EPIPE', 'write'))).toBe(true);
    expect(neverSent(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    // Read failures come after the statement was written: it may have run.
    expect(neverSent(socket('ECONNRESET', 'read'))).toBe(false);
    expect(neverSent(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(neverSent(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(false);
  });

  it('a connection the server ends (a restart, an administrator) is taken for the database not answering, and is given back', async () => {
    const { poolMax } = h.platform.config.database;
    for (let i = 0; i < poolMax + 2; i++) {
      const { pid, ended } = sleepingTransaction(5);
      await orm()
        .em.getConnection()
        .execute('select pg_terminate_backend(?)', [await pid]);
      const err = await ended;
      expect(err).toMatchObject({ code: '57P01' });
      expect(isDatabaseUnavailable(err)).toBe(true);
    }
    expect(await answers(5_000)).toBe(true);
  });

  it('[R-OUT-7D] a video made while the database is down waits for it, past the attempts a download gets, and is stored and charged once it answers', async () => {
    const created = await json(await createJob(creator.client, jobRequest({ durationSeconds: 8 })));
    // The built-in renderer is at work: its video is made while the database is down.
    await waitForJob(creator.client, created.id, { until: (job) => job.status === 'running' });
    outage.down();
    await activityPending(h.platform, created.id, 'storeOutput', OUTPUT_COPY_ATTEMPTS);

    outage.up();
    const done = await waitForJob(creator.client, created.id, { timeoutMs: 90_000 });
    expect(done).toMatchObject({
      status: 'succeeded',
      failure: null,
      credits: { charged: created.credits.quoted },
    });
    expect(await orm().em.fork().count(CreditLedgerEntry, { jobId: created.id, kind: 'capture' })).toBe(1);
  }, 240_000);

  it("[R-OUT-7D] a provider's task is followed while the database does not answer, and its video stored and charged once it is back", async () => {
    const prompt = `a slow tide ${randomUUID().slice(0, 6)} ${PROMPT_MARKERS.stuck}`;
    const created = await json(
      await createJob(
        creator.client,
        jobRequest({ modelId: 'luma-ray-flash-2', durationSeconds: 5, prompt }),
      ),
    );
    await waitForJob(creator.client, created.id, { until: (job) => job.status === 'running' });
    const task = h.simulator.tasks('luma').find((t) => t.prompt === prompt)!;
    const workflow = h.platform.clients.temporal.client.workflow.getHandle(
      workflowIds.generation(created.id),
    );
    const downAt = Date.now();
    outage.down();
    // Polls go on answering: their writes for the person watching wait for the next one.
    await eventually(
      async () => {
        const events = (await workflow.fetchHistory()).events ?? [];
        const polls = new Set(
          events
            .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'pollProviderTask')
            .map((e) => Number(e.eventId)),
        );
        return events.some(
          (e) =>
            polls.has(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId)) &&
            Number(e.eventTime?.seconds) * 1000 > downAt,
        );
      },
      60_000,
      'a poll answered while the database is down',
    );
    // The video is made: the next poll finds it, and its copy waits for the database.
    h.simulator.completeNow(task.id);
    await activityPending(h.platform, created.id, 'storeOutput', 0, 60_000);

    outage.up();
    const done = await waitForJob(creator.client, created.id, { timeoutMs: 90_000 });
    expect(done).toMatchObject({
      status: 'succeeded',
      failure: null,
      credits: { charged: created.credits.quoted },
    });
    expect(h.simulator.tasks('luma').filter((t) => t.prompt === prompt)).toHaveLength(1);
  }, 240_000);

  it("a script run's voice track and composition wait for the database, past the attempts they get, and the run makes its video once it answers", async () => {
    // Its scenes made: what follows reads and writes the database.
    const project = await runToMediaSteps(creator.client, 'Failover');
    outage.down();
    await stepPending(h.platform, workflowIds.script(project.id), MEDIA_STEPS, MEDIA_ATTEMPTS, 90_000);

    outage.up();
    const done = await waitForProject(creator.client, project.id, { timeoutMs: 120_000 });
    expect(done).toMatchObject({ status: 'ready', latestRevision: 1, message: null });
    expect(done.video).not.toBeNull();
  }, 300_000);
});
