// A worker that runs its workflows on its own thread, in the SDK's reused V8 context,
// instead of in the SDK's workflow thread, and without the SDK's promise hook.
//
// The SDK's default hands every activation to a worker thread and back (a structured
// clone each way), and in that thread a V8 promise hook records a stack trace, mapped
// through the bundle's source map, for every promise a workflow creates: that is what
// the Web UI's "Stack Trace" tab shows. For the retention worker these were about 1.3 ms
// of a deletion's 10.1 ms of worker CPU (`bench:retention`, 5,000 due objects, one run
// each way in the same hour: 10.09 ms a deletion threaded, 8.79 here; the workflow
// thread's own profile put the hook and the stack traces at 0.85 ms of its 3.06). The
// worker's peak RSS fell from 264 to 237 MiB with the thread gone.
//
// The hook has to go: on the process's own thread it would run for every promise the
// activities create too. What is given up is the stack trace of a waiting workflow; a
// retention workflow's `state` query tells what it waits for (scheduled, held and by
// which holds), so its operators lose nothing they use. The generation queue's jobs and
// script projects run here too since stop 42, for the same reasons and figures of their
// own (their `progress` query says what they wait for); the other queues keep the SDK's
// threads and their stack traces (worker/tuning.ts, workflowsInProcess).
import type { Worker } from '@temporalio/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared.js';
import { UnwatchedWorker } from './unwatched-worker.ts';

type CreatorArgs = Parameters<(typeof Worker)['createWorkflowCreator']>;

/** What the SDK keeps private and this module relies on; checked, so an SDK upgrade that moves it fails loudly. */
interface PromiseHooks {
  stopPromiseHook?: unknown;
}

/** Stops the SDK's promise hook on this thread, once: a second stop would remove another hook. */
function stopWorkflowPromiseHook(): void {
  const hooks = globalHandlers as unknown as PromiseHooks;
  if (typeof hooks.stopPromiseHook !== 'function') {
    throw new Error(
      '@temporalio/worker no longer has globalHandlers.stopPromiseHook; see worker/in-process-worker.ts',
    );
  }
  (hooks.stopPromiseHook as () => void).call(globalHandlers);
  hooks.stopPromiseHook = () => {};
}

export class InProcessWorker extends UnwatchedWorker {
  protected static override async createWorkflowCreator(...args: CreatorArgs) {
    const [bundle, options] = args;
    // The SDK's patch callback crosses threads by a shared buffer; we set none, and a
    // worker given one keeps the SDK's threads rather than lose it.
    if (options.patchActivationCallback !== undefined) return super.createWorkflowCreator(...args);
    const creator = await ReusableVMWorkflowCreator.create(
      bundle,
      // No vm watchdog, as in UnwatchedWorker: `undefined` is what Node's vm reads as no timeout.
      undefined as unknown as number,
      new Set(options.activities.keys()),
    );
    stopWorkflowPromiseHook();
    return creator;
  }
}
