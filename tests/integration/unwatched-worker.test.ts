// The platform's workers call into workflow code without Node's vm watchdog
// (worker/unwatched-worker.ts). Shown by a workflow that computes for far longer than the
// isolate execution timeout its worker is given: the SDK's own worker fails its task, the
// platform's completes it.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { describe, expect, it, vi } from 'vitest';
import { UnwatchedWorker } from '../../worker/unwatched-worker.ts';
import { busyWorkflow } from '../fixtures/workflows/busy.ts';
import { useWorkerTestbed } from '../support/worker-testbed.ts';

const WORKFLOWS = fileURLToPath(new URL('../fixtures/workflows/busy.ts', import.meta.url));
/** About 0.3 s of computing here; forty times the timeout below on a far slower machine too. */
const ITERATIONS = 300_000_000;
// The SDK's option is left out of its public types (its default is 5 s); the test shortens it.
const SHORT_TIMEOUT = { isolateExecutionTimeout: '50ms' } as Partial<WorkerOptions>;

describe('workers without the vm watchdog', () => {
  const bed = useWorkerTestbed();

  /** Runs the busy workflow on a worker of `kind` until `done` says it has its answer. */
  async function runBusy<T>(kind: typeof Worker, done: (id: string) => Promise<T | undefined>): Promise<T> {
    const taskQueue = `busy-${randomUUID()}`;
    const worker = await kind.create({
      connection: bed().native,
      namespace: bed().namespace,
      taskQueue,
      workflowsPath: WORKFLOWS,
      ...SHORT_TIMEOUT,
    });
    const id = `busy-${randomUUID()}`;
    return worker.runUntil(async () => {
      await bed().client.workflow.start('busyWorkflow', { taskQueue, workflowId: id, args: [ITERATIONS] });
      return vi.waitFor(
        async () => {
          const answer = await done(id);
          if (answer === undefined) throw new Error(`${id} has no answer yet`);
          return answer;
        },
        { timeout: 30_000, interval: 100 },
      );
    });
  }

  it("the SDK's worker fails the task of a workflow that outruns its timeout", async () => {
    const failure = await runBusy(Worker, async (id) => {
      const history = await bed().client.workflow.getHandle(id).fetchHistory();
      const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes);
      if (!failed) return undefined;
      await bed().client.workflow.getHandle(id).terminate('the test saw its task fail');
      return failed.workflowTaskFailedEventAttributes!.failure?.message;
    });
    expect(failure).toMatch(/timed out after 50ms/);
  }, 60_000);

  it("the platform's worker lets the same workflow finish", async () => {
    // The same function run here, outside any worker, gives the answer to expect.
    const expected = await busyWorkflow(ITERATIONS);
    const result = await runBusy(UnwatchedWorker, async (id) => {
      const history = await bed().client.workflow.getHandle(id).fetchHistory();
      if (history.events?.some((e) => e.workflowTaskFailedEventAttributes)) return 'task failed';
      const { status } = await bed().client.workflow.getHandle(id).describe();
      return status.name === 'COMPLETED' ? await bed().client.workflow.getHandle(id).result() : undefined;
    });
    expect(result).toBe(expected);
  }, 60_000);
});
