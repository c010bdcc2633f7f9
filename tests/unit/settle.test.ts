// settleAll (platform/settle.ts): steps run side by side, and none is still running when
// the caller hears of a failure.
import { describe, expect, it } from 'vitest';
import { settleAll } from '../../platform/settle.ts';

/** A promise the test settles by hand, and whether it has. */
function manual<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('settleAll', () => {
  it('answers every value, in order', async () => {
    expect(await settleAll([Promise.resolve(1), Promise.resolve('two'), undefined])).toEqual([
      1,
      'two',
      undefined,
    ]);
  });

  it('throws only once every step has settled, and the first failure in order', async () => {
    const slow = manual<number>();
    const first = new Error('first');
    let heard: unknown;
    const all = settleAll([slow.promise, Promise.reject(first), Promise.reject(new Error('second'))]).catch(
      (err: unknown) => {
        heard = err;
      },
    );
    // Failures are known at once, but the slow step is still running: nothing is heard yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toBeUndefined();
    slow.resolve(3);
    await all;
    expect(heard).toBe(first);
  });
});
