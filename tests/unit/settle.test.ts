// settleAll (platform/settle.ts): steps run side by side, and none is still running when
// the caller hears of a failure.
import { describe, expect, it } from 'vitest';
import { settleAll } from '../../platform/settle.ts';

describe('settleAll', () => {
  it('answers every value, in order', async () => {
    expect(await settleAll([Promise.resolve(1), Promise.resolve('two'), undefined])).toEqual([
      1,
      'two',
      undefined,
    ]);
  });

  it('throws only once every step has settled, and the first failure in order', async () => {
    const first = new Error('first');
    const failures = [Promise.reject(first), Promise.reject(new Error('second'))];
    const heard: string[] = [];
    // A step still running well after both failures are known: twenty turns of the
    // microtask queue, no timer.
    const slow = (async () => {
      for (let turn = 0; turn < 20; turn++) await null;
      heard.push('slow step done');
      return 3;
    })();
    await expect(settleAll([slow, ...failures]).finally(() => heard.push('failure reported'))).rejects.toBe(
      first,
    );
    expect(heard).toEqual(['slow step done', 'failure reported']);
  });
});
