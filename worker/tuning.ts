// How each task queue's worker is sized, as code. The figures behind each choice come
// from the benchmarks (bench/README.md): a worker's memory is mostly its workflow
// cache, and the SDK's default cache (about 600 workflows per 1 GiB of heap, here
// thousands per queue) is what made 5,000 due retention workflows cost 1.2 GiB.
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config/index.ts';
import { dueDeletionsAtOnce } from '../domain/retention.ts';
import { TASK_QUEUES, type TaskQueue } from '../domain/temporal.ts';

export type QueueTuning = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
  | 'maxConcurrentWorkflowTaskPolls'
  | 'nonStickyToStickyPollRatio'
>;

/**
 * Per queue:
 * - retention: a cache only as large as the deletions under way. A retention workflow
 *   has one workflow task in its life, at its due time (it is started with a start delay
 *   to it, clients/retention.ts), so there is nothing to keep between tasks. But its
 *   deletion is a local activity, and a run must stay
 *   cached while its local activity runs: with no cache at all (0) the SDK evicts the run
 *   mid-task, the activity's result lands on nothing ("Tried to complete untracked local
 *   activity"), and under load or a database outage deletions loop until their task
 *   times out, again and again (seen in tests/integration/scale-out.test.ts). Twice the
 *   workflow tasks at once leaves room for every run with a deletion in flight. Deletions
 *   due together wait a moment to share one batch and one database connection, so twice
 *   the pool run at once (domain/retention.ts dueDeletionsAtOnce, with the figures): with
 *   only the pool's worth, the wait held the slots and fewer deletions went a second.
 *   Nearly all its workflow tasks come from the normal queue, not the sticky one (a due
 *   run is rarely still cached), but the SDK's default gives 8 of 10 pollers to the
 *   sticky queue: a burst of due timers was then dispatched at 16 to 27 a second with
 *   the worker mostly idle. Here 8 of 10 poll the normal queue.
 * - generation: a running job has a workflow task every few seconds (polls, webhooks,
 *   progress); a cache of a few hundred keeps those on the sticky queue. Its regular
 *   activities mostly wait on providers' HTTP (no database connection held while they
 *   wait), so they may be twice the pool; its local activities (start, finish) need one.
 * - privacy: exports and deletions are long and heavy on the database: a few at a time.
 * - billing: a subscription wakes a few times a month (Stripe's events, in bursts of two
 *   or three around a renewal); a small cache keeps a burst on the sticky queue, and its
 *   one local activity holds one database connection.
 * - system: sweeps and diagnostics, one or two at a time.
 */
export function queueTuning(queue: TaskQueue, config: Pick<Config, 'database'>): QueueTuning {
  const pool = config.database.poolMax;
  switch (queue) {
    case TASK_QUEUES.retention:
      return {
        maxCachedWorkflows: 2 * dueDeletionsAtOnce(pool),
        maxConcurrentWorkflowTaskExecutions: dueDeletionsAtOnce(pool),
        maxConcurrentActivityTaskExecutions: 2,
        maxConcurrentLocalActivityExecutions: dueDeletionsAtOnce(pool),
        maxConcurrentWorkflowTaskPolls: pool,
        nonStickyToStickyPollRatio: 0.8,
      };
    case TASK_QUEUES.generation:
      return {
        maxCachedWorkflows: 250,
        maxConcurrentWorkflowTaskExecutions: 20,
        maxConcurrentActivityTaskExecutions: 2 * pool,
        maxConcurrentLocalActivityExecutions: pool,
      };
    case TASK_QUEUES.privacy:
      return {
        maxCachedWorkflows: 50,
        maxConcurrentWorkflowTaskExecutions: 10,
        maxConcurrentActivityTaskExecutions: 4,
        maxConcurrentLocalActivityExecutions: 4,
      };
    case TASK_QUEUES.billing:
      return {
        maxCachedWorkflows: 50,
        maxConcurrentWorkflowTaskExecutions: 4,
        maxConcurrentActivityTaskExecutions: 2,
        maxConcurrentLocalActivityExecutions: 4,
      };
    default:
      return {
        maxCachedWorkflows: 10,
        maxConcurrentWorkflowTaskExecutions: 4,
        maxConcurrentActivityTaskExecutions: 2,
        maxConcurrentLocalActivityExecutions: 2,
      };
  }
}

/**
 * The queues whose workflows run on the worker's own thread, without the SDK's workflow
 * thread and its promise hook (worker/in-process-worker.ts): retention and generation,
 * whose workflows (script projects share the generation queue) are short tasks that wait
 * on a signal, a timer or a local activity, and whose `state` and `progress` queries say
 * what they wait for. For retention the thread's hand-offs and the hook's stack traces
 * were an eighth of a deletion's worker CPU (10.09 against 8.79 ms, `bench:retention`).
 * For generation, four short `bench:orchestration` runs alternating (stop 42): the
 * platform's processes spent 38.3 and 34.4 ms of CPU a job more than the bare side's in
 * process, against 46 and 54.4 threaded; the workflow task with the job's start took
 * 21.6 and 21.1 ms on average against 27.1 and 33.9; the p99 ratio was 1.77 and 1.39
 * against 1.81 and 1.88, the throughput ratio 0.62 and 0.59 against 0.51 and 0.49. At
 * the defaults, one run each way: 38.2 ms above the bare side against 40.8, the start's
 * task 4.4 ms longer than the bare side's against 8.9, the ratios within the spread
 * between runs (p99 1.73 against 1.86, throughput 0.59 against 0.63). The other queues
 * run a few workflows a person or a day, which wait in many places for weeks (a rights
 * request, an account deletion, a subscription): the hand-offs cost them little, and
 * they keep the Web UI's stack trace of where they wait.
 */
export function workflowsInProcess(queue: TaskQueue): boolean {
  return queue === TASK_QUEUES.retention || queue === TASK_QUEUES.generation;
}

/**
 * The V8 options of every worker process: a young generation of at most 2 MiB a
 * semi-space. Streaming work (an export, an output's copy) allocates a buffer for every
 * network read; V8 frees such memory at a young collection, or only after 64 MiB more of
 * it otherwise, so the smaller the young generation, the less garbage is kept. An export
 * of 1 GiB in a fresh process peaked at 350 to 384 MiB with V8's default, 277 to 286 MiB
 * with 8 MiB and 222 to 230 MiB with 2 MiB (its parts in reused buffers in both), as fast
 * within the host's noise; a worker deleting 5,000 due objects peaked at 277 MiB with
 * 2 MiB, 299 with 8, at the same rate, and one holding 100,000 pending timers at 221 MiB
 * instead of 253 (bench/README.md). Set where a worker starts:
 * the Dockerfile's worker image, `npm start`, the benchmarks.
 */
export const WORKER_NODE_OPTIONS = '--max-semi-space-size=2';

/**
 * The V8 heap of a process that polls only `retention`. Its cache holds at most twice the
 * pool of runs, so its live heap stays small, but V8 grows the heap to its default limit
 * before it collects: 1,000 due deletions peaked at 648 MiB RSS uncapped, 291 MiB capped
 * like this, and deleted faster (22 against 14 a second; bench/README.md).
 */
export const RETENTION_WORKER_NODE_OPTIONS = `--max-old-space-size=160 ${WORKER_NODE_OPTIONS}`;

/** NODE_OPTIONS for a worker process: what the environment gives, then `options`. */
export function withNodeOptions(env: NodeJS.ProcessEnv, options: string): NodeJS.ProcessEnv {
  return { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, options].filter(Boolean).join(' ') };
}
