// Scratch files on local disk (platform/scratch.ts): a process killed in the middle of a
// step runs no cleanup, so whatever it left (a person's video, voice) is deleted by the
// processes still running once it has stopped marking its folder alive, and nothing of a
// process still alive is touched, however old its files are (R-TEMP). Real processes,
// killed with SIGKILL, as a worker is by the machine running out of memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openScratch } from '../../platform/scratch.ts';

const HOLDER = fileURLToPath(new URL('../support/scratch-holder.ts', import.meta.url));
// Short enough for a test, and twenty heartbeats apart, so a living process slowed by the
// rest of the suite is never taken for dead; the platform's are a minute and five
// (domain/retention.ts).
const timings = { heartbeatMs: 100, abandonedAfterMs: 2_000 };

let base: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'clipwise-scratch-test-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(base, { recursive: true, force: true });
});

/** A process holding a scratch file under `root`, and where it is. */
async function holder(root: string): Promise<{ child: ChildProcess; home: string; file: string }> {
  const child = spawn(
    process.execPath,
    [HOLDER, root, String(timings.heartbeatMs), String(timings.abandonedAfterMs)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.push(child);
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, ...(JSON.parse(line!) as { home: string; file: string }) };
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('scratch files', () => {
  it('[R-TEMP] deletes the scratch files of a process killed in the middle of a step, and nothing of a living one', async () => {
    const root = path.join(base, 'killed');
    const started = Date.now();
    const [dead, living] = await Promise.all([holder(root), holder(root)]);
    await killed(dead.child);
    expect(existsSync(dead.file)).toBe(true);

    const scratch = await openScratch({ root, ...timings });
    try {
      await vi.waitFor(() => expect(existsSync(dead.home)).toBe(false), { timeout: 15_000, interval: 50 });
      // The living process's folder is older than a dead one may be: only its marks keep it.
      expect(Date.now() - started).toBeGreaterThan(timings.abandonedAfterMs);
      expect(await scratch.sweep()).toEqual([]);
      expect(await readFile(living.file, 'utf8')).toBe('a person’s video');
      expect((await readdir(root)).sort()).toEqual(
        [path.basename(living.home), path.basename(scratch.home)].sort(),
      );
    } finally {
      await scratch.close();
    }
  });

  it('[R-TEMP] deletes its own folder, with whatever a step left in it, when the process stops', async () => {
    const root = path.join(base, 'closed');
    const scratch = await openScratch({ root, ...timings });
    // Its own folder deleted under it (another machine's sweep, a clock that jumped): made again.
    await rm(scratch.home, { recursive: true });
    const folder = await scratch.folder('render-');
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect((await stat(scratch.home)).mode & 0o777).toBe(0o700);
    await mkdir(path.join(folder, 'frames'));
    await scratch.close();
    expect(existsSync(scratch.home)).toBe(false);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a root other users could read or redirect', async () => {
    const open = path.join(base, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    await expect(openScratch({ root: open })).rejects.toThrow(/open to other users/);
    const link = path.join(base, 'link');
    await symlink(await mkdtemp(path.join(base, 'elsewhere-')), link);
    await expect(openScratch({ root: link })).rejects.toThrow(/not a folder/);
  });
});
