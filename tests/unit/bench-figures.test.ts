// The benchmarks' CPU accounting (bench/support/figures.ts): a side's CPU includes the
// helpers it started, the ones that have already ended too (ffmpeg, started and waited
// for by the image classifier for every output, is such a helper).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cpuSecondsOfTree } from '../../bench/support/figures.ts';

/** A child that burns `ms` of its own CPU, then exits. */
async function burnInChild(ms: number): Promise<void> {
  // User and system time: asking for the usage is itself a system call.
  const burn = `for (let u = process.cpuUsage(); u.user + u.system < ${ms * 1000}; u = process.cpuUsage());`;
  const child = spawn(process.execPath, ['-e', burn]);
  const [code] = (await once(child, 'exit')) as [number];
  expect(code).toBe(0);
}

describe('bench CPU accounting', () => {
  it('counts a helper that has ended in the CPU of the process that started it', async () => {
    const before = await cpuSecondsOfTree(process.pid);
    await burnInChild(400);
    const after = await cpuSecondsOfTree(process.pid);
    // The child's 400 ms are counted once it has been reaped, not lost with it.
    expect(after - before).toBeGreaterThanOrEqual(0.35);
  });
});
