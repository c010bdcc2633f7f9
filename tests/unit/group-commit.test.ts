import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../platform/group-commit.ts';

/** A batch runner whose batches finish only when the test says so. */
function gatedRunner() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    return items.map((n) =>
      n < 0
        ? ({ status: 'rejected', reason: new Error(`bad ${n}`) } as const)
        : ({ status: 'fulfilled', value: n * 10 } as const),
    );
  };
  const openNext = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { batches, run, openNext };
}

describe('group commit', () => {
  it('sends the calls that arrive while a batch runs together in the next one, at most the batch size', async () => {
    const runner = gatedRunner();
    const call = groupCommit(runner.run, { maxBatch: 3 });
    const first = [call(1), call(2)];
    while (runner.batches.length === 0) await new Promise((r) => setImmediate(r));
    // Both calls of one tick went in the first batch, which is running; these five wait for it.
    const waiting = [3, 4, 5, 6, 7].map((n) => call(n));
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    expect(runner.batches).toEqual([[1, 2]]);
    await runner.openNext();
    expect(await Promise.all(first)).toEqual([10, 20]);
    await runner.openNext();
    await runner.openNext();
    expect(await Promise.all(waiting)).toEqual([30, 40, 50, 60, 70]);
    expect(runner.batches).toEqual([
      [1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
  });

  it('fails only the call whose result failed, and all of a batch that threw, then goes on', async () => {
    const runner = gatedRunner();
    const call = groupCommit(runner.run, { maxBatch: 10 });
    const mixed = [call(1), call(-2), call(3)];
    await runner.openNext();
    expect(await Promise.allSettled(mixed)).toMatchObject([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: { message: 'bad -2' } },
      { status: 'fulfilled', value: 30 },
    ]);

    let throwing = true;
    const call2 = groupCommit(
      async (items: number[]) => {
        if (throwing) {
          throwing = false;
          throw new Error('database gone');
        }
        return items.map((n) => ({ status: 'fulfilled', value: n }) as const);
      },
      { maxBatch: 10 },
    );
    const failed = [call2(1), call2(2)];
    await expect(Promise.all(failed)).rejects.toThrow('database gone');
    expect(await Promise.allSettled(failed)).toMatchObject([{ status: 'rejected' }, { status: 'rejected' }]);
    expect(await call2(3)).toBe(3);

    // A batch that answers for fewer calls than it took answers none of them wrongly.
    const short = groupCommit(
      async (items: number[]) => items.slice(1).map(() => ({ status: 'fulfilled', value: 0 }) as const),
      {
        maxBatch: 10,
      },
    );
    const shorted = await Promise.allSettled([short(1), short(2)]);
    expect(shorted).toMatchObject([
      { status: 'rejected', reason: { message: 'a batch of 2 answered 1 results' } },
      { status: 'rejected' },
    ]);
  });

  it('waits up to its linger for more calls, and starts at once when as many wait as start a batch', async () => {
    const runner = gatedRunner();
    const call = groupCommit(runner.run, { maxBatch: 10, lingerMs: 60_000, startAt: 3 });
    const tick = () => new Promise((r) => setImmediate(r));
    // Three calls in three ticks, as a burst's deletions arrive: they go together.
    const calls = [call(1)];
    await tick();
    calls.push(call(2));
    await tick();
    expect(runner.batches).toEqual([]);
    calls.push(call(3));
    await runner.openNext();
    expect(await Promise.all(calls)).toEqual([10, 20, 30]);
    expect(runner.batches).toEqual([[1, 2, 3]]);
  });

  it('sends a lone call once its linger is over', async () => {
    const runner = gatedRunner();
    const lingerMs = 1500;
    const call = groupCommit(runner.run, { maxBatch: 10, lingerMs, startAt: 3 });
    const called = performance.now();
    const lone = call(7);
    await new Promise((r) => setImmediate(r));
    expect(runner.batches).toEqual([]);
    await runner.openNext();
    expect(await lone).toBe(70);
    // A timer counts from the event loop's clock, read when its turn began, so it may fire a
    // little before lingerMs of real time; a batch sent without the wait comes in microseconds.
    expect(performance.now() - called).toBeGreaterThanOrEqual(lingerMs - 100);
    expect(runner.batches).toEqual([[7]]);
  });
});
