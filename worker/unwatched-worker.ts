// The SDK's worker without Node's vm watchdog around each call into a workflow's V8
// context. The SDK passes its isolate execution timeout (5 s) to every `runInContext`,
// about five calls per activation, and for each such call Node creates a thread that
// watches the clock and joins it afterwards: 135 to 200 µs of CPU a call against 1 µs
// without (20,000 calls in a loop, Node 24). The retention worker spent 19.0 ms of CPU a
// deletion with it and 16.7 without (back-to-back bench:retention runs, bench/README.md).
//
// What the watchdog guards against is a workflow looping forever without yielding: it
// would fail the task instead of holding its thread. Our workflows are our own code,
// replayed in tests against recorded histories; such a loop would hold one workflow
// thread, and the server would time its task out after 10 s and hand it to another
// worker, so the job still shows as stuck in the Web UI and in the worker's metrics.
import { Worker } from '@temporalio/worker';

type CreatorArgs = Parameters<(typeof Worker)['createWorkflowCreator']>;

export class UnwatchedWorker extends Worker {
  protected static override createWorkflowCreator(...[bundle, options, logger]: CreatorArgs) {
    // `undefined` is what Node's vm reads as "no timeout"; the SDK hands it on unchanged.
    return super.createWorkflowCreator(
      bundle,
      { ...options, isolateExecutionTimeoutMs: undefined as unknown as number },
      logger,
    );
  }
}
