// The retention and generation queues' workers run their workflows on their own thread,
// without the SDK's promise hook (worker/in-process-worker.ts): a waiting workflow's run
// lives in this process's thread and has no recorded stack trace, where the SDK's
// threaded worker (the other queues) keeps it in a workflow thread and records where it
// waits.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Worker } from '@temporalio/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';
import { describe, expect, it, vi } from 'vitest';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { InProcessWorker } from '../../worker/in-process-worker.ts';
import { workflowsInProcess } from '../../worker/tuning.ts';
import { UnwatchedWorker } from '../../worker/unwatched-worker.ts';
import { finishSignal } from '../fixtures/workflows/waiting.ts';
import { useWorkerTestbed } from '../support/worker-testbed.ts';

const WORKFLOWS = fileURLToPath(new URL('../fixtures/workflows/waiting.ts', import.meta.url));

describe('workflows run in the worker process (the retention and generation queues)', () => {
  const bed = useWorkerTestbed();

  /**
   * Starts the waiting workflow on a worker of `kind`, and once it has run its first task
   * answers where its run is and what its stack trace query says; then lets it finish.
   */
  async function whileWaiting(kind: typeof Worker) {
    const taskQueue = `waiting-${randomUUID()}`;
    const worker = await kind.create({
      connection: bed().native,
      namespace: bed().namespace,
      taskQueue,
      workflowsPath: WORKFLOWS,
    });
    return worker.runUntil(async () => {
      const started = await bed().client.workflow.start('waitingWorkflow', {
        taskQueue,
        workflowId: `waiting-${randomUUID()}`,
      });
      await vi.waitFor(
        async () => {
          const history = await started.fetchHistory();
          if (!history.events?.some((e) => e.workflowTaskCompletedEventAttributes))
            throw new Error('no workflow task completed yet');
        },
        { timeout: 30_000, interval: 100 },
      );
      const runId = started.firstExecutionRunId;
      const inThisThread = ReusableVMWorkflowCreator.workflowByRunId.has(runId);
      const stackTrace = await started.query<string>('__stack_trace');
      await started.signal(finishSignal);
      expect(await started.result()).toBe('finished');
      return { inThisThread, stackTrace };
    });
  }

  it('the retention and generation queues, and they alone, run their workflows in the worker process', () => {
    const inProcess = Object.values(TASK_QUEUES).filter(workflowsInProcess);
    expect(inProcess).toEqual([TASK_QUEUES.generation, TASK_QUEUES.retention]);
  });

  it("a waiting workflow's run is on the worker's own thread, with no stack trace recorded", async () => {
    const seen = await whileWaiting(InProcessWorker);
    expect(seen.inThisThread).toBe(true);
    expect(seen.stackTrace).toBe('');
  }, 60_000);

  it("on the SDK's threads (the other queues) the run is elsewhere, and its stack trace shows where it waits", async () => {
    const seen = await whileWaiting(UnwatchedWorker);
    expect(seen.inThisThread).toBe(false);
    expect(seen.stackTrace).toMatch(/waitingWorkflow/);
  }, 60_000);
});
