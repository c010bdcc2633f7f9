// Group commit: calls that arrive while a batch is being written wait, and go together
// in the next batch, so many callers share one round of database statements and store
// requests instead of each running its own. Nothing waits for a batch to fill: a call
// that finds none running starts one in the same tick, and a batch takes whatever has queued.
// (DataLoader batches what one tick of the event loop collects; calls that arrive one
// local activity at a time fall in different ticks, so its batches stay single.)

/** Runs a batch: answers one settled result per item, in the items' order. */
export type BatchRun<I, O> = (items: I[]) => Promise<PromiseSettledResult<O>[]>;

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/**
 * A function whose calls are batched through `run`, at most `maxBatch` items a batch and
 * one batch at a time. A batch that throws fails each of its calls with that error; a
 * result the batch settled as rejected fails only its own call.
 */
export function groupCommit<I, O>(run: BatchRun<I, O>, maxBatch: number): (item: I) => Promise<O> {
  const queue: Waiting<I, O>[] = [];
  let running = false;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
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

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (running) return;
      running = true;
      // After this tick's other calls, so that they join the first batch.
      queueMicrotask(() => void drain());
    });
}
