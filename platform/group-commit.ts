// Group commit: calls that arrive while a batch is being written wait, and go together
// in the next batch, so many callers share one round of database statements and store
// requests instead of each running its own. A call that finds no batch running starts
// one in the same tick, or, given a linger, once it has waited that long or enough calls
// wait with it. (DataLoader batches what one tick of the event loop collects; calls that
// arrive one local activity at a time fall in different ticks, so its batches stay single.)

/** Runs a batch: answers one settled result per item, in the items' order. */
export type BatchRun<I, O> = (items: I[]) => Promise<PromiseSettledResult<O>[]>;

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

export interface GroupCommitOptions {
  /** The most items a batch takes. */
  maxBatch: number;
  /**
   * How long a batch waits for more calls after its first arrives (0: it starts in the
   * same tick). Callers that arrive one at a time, a few milliseconds apart, share a batch
   * only if it waits for them.
   */
  lingerMs?: number;
  /** As many waiting calls as start a batch at once, whatever the wait (default maxBatch). */
  startAt?: number;
}

/**
 * A function whose calls are batched through `run`, one batch at a time. A batch that
 * throws fails each of its calls with that error; a result the batch settled as rejected
 * fails only its own call.
 */
export function groupCommit<I, O>(run: BatchRun<I, O>, options: GroupCommitOptions): (item: I) => Promise<O> {
  const { maxBatch, lingerMs = 0 } = options;
  const startAt = Math.min(options.startAt ?? maxBatch, maxBatch);
  const queue: (Waiting<I, O> & { at: number })[] = [];
  let running = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      if (queue.length < startAt && lingerMs > 0) {
        const wait = queue[0]!.at + lingerMs - performance.now();
        if (wait > 0) {
          running = false;
          timer = setTimeout(lingered, wait);
          return;
        }
      }
      const batch = queue.splice(0, maxBatch);
      try {
        const results = await run(batch.map((w) => w.item));
        if (results.length !== batch.length) {
          throw new Error(`a batch of ${batch.length} answered ${results.length} results`);
        }
        results.forEach((r, i) =>
          r.status === 'fulfilled' ? batch[i]!.resolve(r.value) : batch[i]!.reject(r.reason),
        );
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    running = false;
  }

  function lingered(): void {
    timer = null;
    running = true;
    void drain();
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject, at: performance.now() });
      if (running || (timer && queue.length < startAt)) return;
      if (timer) clearTimeout(timer);
      timer = null;
      running = true;
      // After this tick's other calls, so that they join the first batch.
      queueMicrotask(() => void drain());
    });
}
