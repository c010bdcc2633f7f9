// Workflow tests without the stack (STYLE.md, "Workflows tested only through the whole
// stack"): a file calls `withWorkflowEnv()` once; each test starts its workflow (own id)
// with the activity stubs it gives, typed against the real activities so a renamed one no
// longer compiles. Any activity the test did not stub fails at once, without retries.
//
// Each file has a time-skipping test server of its own and one worker; the workflow
// bundle is made once for all (tests/support/workflow-server.ts).
// Time runs at wall-clock pace while a test starts, signals and queries; it jumps ahead
// only while the test awaits `run.result()` or calls `env.sleep(ms)`. So: set up, poke,
// then await the outcome.
//
//   const wf = withWorkflowEnv();
//   it('[D-VERIFY] ...', async () => {
//     const run = await wf.start(dataAccessWorkflow, { args: [input], activities: { expireRequest: ... } });
//     await run.waitFor(requestProgressQuery, (p) => p.status === 'awaiting_verification');
//     await run.handle.signal(verifiedSignal, message);
//     expect((await run.result()).status).toBe('completed');
//     expect(run.order()).toEqual(['claimRequest', ...]);
//   });
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type {
  WorkflowHandleWithFirstExecutionRunId,
  WorkflowSignalWithStartOptions,
  WorkflowStartOptions,
} from '@temporalio/client';
import {
  ApplicationFailure,
  type QueryDefinition,
  type SignalDefinition,
  type WithWorkflowArgs,
  type Workflow,
  type WorkflowResultType,
} from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  GracefulShutdownPeriodExpiredError,
  Runtime,
  Worker,
  makeTelemetryFilterString,
} from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, inject, vi } from 'vitest';
import type { Activities } from '../../activities/index.ts';
import { startTestServer, type RunningServer } from './workflow-server.ts';

/** Stubs for the activities a test expects its workflow to call. */
export type ActivityStubs = Partial<Activities>;
export type ActivityName = keyof Activities;

export interface ActivityCall {
  name: ActivityName;
  args: unknown[];
  /** Server time the attempt was scheduled: the clock to compare durations with. */
  at: number;
}

export interface StartOptions<W extends Workflow> {
  args: Parameters<W>;
  activities?: ActivityStubs;
  /** Defaults to a fresh unique id. */
  workflowId?: string;
  /**
   * A signal sent with the start (signal-with-start): the workflow's first task holds it,
   * before any of its own code has run.
   */
  signal?: { definition: SignalDefinition<any[]>; args: unknown[] };
}

export interface WorkflowRun<W extends Workflow> {
  handle: WorkflowHandleWithFirstExecutionRunId<W>;
  /** Every activity attempt, in the order the workflow made them (retries included). */
  calls: ActivityCall[];
  /** The names in `calls`, for asserting the order of steps. */
  order(): ActivityName[];
  /** The arguments of each call to one activity, typed like the activity. */
  callsTo<K extends ActivityName>(name: K): Parameters<Activities[K]>[];
  /**
   * Awaits the workflow's result, letting the server skip time to its next timer meanwhile.
   * The clock may jump further before the SDK stops it again (to timers earlier workflows
   * left behind), so measure durations with `calls[i].at`, not `now()` after this.
   */
  result(): Promise<WorkflowResultType<W>>;
  /** Queries until `predicate` holds (wall-clock polling: server time stands still meanwhile). */
  waitFor<R>(query: QueryDefinition<R, []>, predicate: (value: R) => boolean): Promise<R>;
}

export interface WorkflowTestEnv {
  /** The SDK's environment on the shared server: `env.sleep(ms)` skips time, `env.client`, ... */
  readonly env: TestWorkflowEnvironment;
  start<W extends Workflow>(workflow: W, options: StartOptions<W>): Promise<WorkflowRun<W>>;
  /** `start`, then await the result. */
  run<W extends Workflow>(workflow: W, options: StartOptions<W>): Promise<WorkflowResultType<W>>;
  /** The server's current time (ms), which moves with skipped time. */
  now(): Promise<number>;
}

/** How long a test waits in wall-clock time for a query to show a state. */
const WAIT_FOR_MS = 10_000;

interface Started {
  stubs: ActivityStubs;
  calls: ActivityCall[];
}

export function withWorkflowEnv(): WorkflowTestEnv {
  const taskQueue = `test-${randomUUID()}`;
  let env: TestWorkflowEnvironment | undefined;
  let server: RunningServer | undefined;
  let worker: { shutdown(): void; running: Promise<void> } | undefined;
  // By workflow id: whose stubs an activity call goes to, and where it is recorded.
  const started = new Map<string, Started>();
  let latest: Started | undefined;
  let cleanups: (() => Promise<void>)[] = [];

  /** The only activity the worker registers: it stands in for every type, and dispatches. */
  async function dispatch(...args: unknown[]): Promise<unknown> {
    const { activityType, workflowExecution, currentAttemptScheduledTimestampMs } = Context.current().info;
    const name = activityType as ActivityName;
    // A child workflow's activities belong to the test that started its parent.
    const owner = started.get(workflowExecution?.workflowId ?? '') ?? latest;
    owner?.calls.push({ name, args, at: currentAttemptScheduledTimestampMs });
    const stub = owner?.stubs[name] as ((...a: unknown[]) => unknown) | undefined;
    if (!stub)
      throw ApplicationFailure.nonRetryable(`activity ${name} is not stubbed in this test`, 'NotStubbed');
    return stub(...args);
  }

  beforeAll(async () => {
    quietRuntime();
    server = await startTestServer();
    env = await connectTimeSkipping(server.address);
    const created = await Worker.create({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      // The worker's fallback for activity types it does not know: all of them.
      activities: { default: dispatch },
      // A bug in workflow code fails the workflow (and the test) at once instead of
      // retrying its task until the test times out.
      workflowFailureErrorTypes: { '*': ['Error'] },
      // A stub still waiting when its test failed must not hold the file's end for ever.
      shutdownForceTime: '5s',
    });
    worker = { shutdown: () => created.shutdown(), running: created.run() };
  });
  afterEach(async () => {
    const pending = cleanups;
    cleanups = [];
    for (const cleanup of pending) await cleanup();
  });
  afterAll(async () => {
    if (worker) {
      worker.shutdown();
      await worker.running.catch((err: unknown) => {
        if (!(err instanceof GracefulShutdownPeriodExpiredError)) throw err;
        console.warn('an activity stub never returned; the worker was stopped without it');
      });
    }
    await env?.teardown();
    server?.stop();
  });

  const current = () => {
    if (!env) throw new Error('withWorkflowEnv(): use it inside tests (it connects in beforeAll)');
    return env;
  };

  async function start<W extends Workflow>(workflow: W, options: StartOptions<W>): Promise<WorkflowRun<W>> {
    const client = current().client;
    const workflowId = options.workflowId ?? `${workflow.name}-${randomUUID()}`;
    const entry: Started = { stubs: options.activities ?? {}, calls: [] };
    started.set(workflowId, entry);
    latest = entry;
    // The SDK's conditional type for `args` does not narrow on a generic W: checked by StartOptions.
    const startOptions = { taskQueue, workflowId, args: options.args } as unknown as WorkflowStartOptions<W>;
    const handle = options.signal
      ? await client.workflow
          // Cast as `startOptions` is, for the same reason.
          .signalWithStart(workflow, {
            ...startOptions,
            signal: options.signal.definition,
            signalArgs: options.signal.args,
          } as unknown as WithWorkflowArgs<W, WorkflowSignalWithStartOptions<unknown[]>>)
          .then((signaled) => Object.assign(signaled, { firstExecutionRunId: signaled.signaledRunId }))
      : await client.workflow.start(workflow, startOptions);
    cleanups.push(async () => {
      // A test that ended early leaves its workflow open: close it so its timers go too.
      await handle.terminate('test over').catch(() => {});
      // Its children as well: a child asked to cancel (REQUEST_CANCEL) would stay open with
      // a task on this file's queue, which no one polls once the file ends, and a pending
      // workflow task stops the shared server from skipping time for every later file.
      for (const childId of await childIds(handle)) {
        await client.workflow
          .getHandle(childId)
          .terminate('test over')
          .catch(() => {});
      }
      started.delete(workflowId);
    });
    const { calls } = entry;
    return {
      handle,
      calls,
      order: () => calls.map((c) => c.name),
      callsTo: <K extends ActivityName>(name: K) =>
        calls.filter((c) => c.name === name).map((c) => c.args as Parameters<Activities[K]>),
      result: () => handle.result() as Promise<WorkflowResultType<W>>,
      waitFor: <R>(query: QueryDefinition<R, []>, predicate: (value: R) => boolean) =>
        vi.waitFor(
          async () => {
            const value = await handle.query(query);
            if (!predicate(value)) throw new Error(`not yet: ${JSON.stringify(value)}`);
            return value;
          },
          { timeout: WAIT_FOR_MS, interval: 20 },
        ),
    };
  }

  return {
    get env() {
      return current();
    },
    start,
    run: async (workflow, options) => (await start(workflow, options)).result(),
    now: () => current().currentTimeMs(),
  };
}

/** The ids of the child workflows a workflow started, from its history. */
async function childIds(handle: {
  fetchHistory(): Promise<{ events?: unknown[] | null }>;
}): Promise<string[]> {
  const history = await handle.fetchHistory().catch(() => ({ events: [] }));
  const ids = new Set<string>();
  for (const event of (history.events ?? []) as {
    childWorkflowExecutionStartedEventAttributes?: {
      workflowExecution?: { workflowId?: string | null } | null;
    } | null;
  }[]) {
    const id = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (id) ids.add(id);
  }
  return [...ids];
}

/** The SDK logs every worker state change; tests fail activities on purpose. Errors only. */
function quietRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      // Core's own warnings (such as the test server not advertising newer capabilities) too.
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
    });
  } catch {
    // Already installed in this process.
  }
}

/**
 * A TestWorkflowEnvironment with time skipping on a server started elsewhere. The SDK has
 * createTimeSkipping (starts a server of its own) and createFromExistingServer (connects,
 * but without the test service, so no time skipping); both go through the private static
 * `create`, which takes exactly this combination. Checked against the pinned version below.
 */
async function connectTimeSkipping(address: string): Promise<TestWorkflowEnvironment> {
  const create = (
    TestWorkflowEnvironment as unknown as {
      create?: (options: {
        server: { type: 'existing' };
        address: string;
        namespace: string;
        supportsTimeSkipping: true;
      }) => Promise<TestWorkflowEnvironment>;
    }
  ).create;
  if (typeof create !== 'function') {
    throw new Error('@temporalio/testing no longer has TestWorkflowEnvironment.create: see workflow-env.ts');
  }
  const env = await create.call(TestWorkflowEnvironment, {
    server: { type: 'existing' },
    address,
    namespace: 'default',
    supportsTimeSkipping: true,
  });
  if (!env.supportsTimeSkipping || !env.connection.testService) {
    throw new Error('the test server was connected without its time-skipping service');
  }
  return env;
}

/** A stub answering `answers` one per call, then the last one for ever (polls, retries). */
export function inTurn<T>(...answers: [T, ...T[]]): () => Promise<T> {
  let next = 0;
  return async () => answers[Math.min(next++, answers.length - 1)] as T;
}
