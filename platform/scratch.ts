// Scratch folders for the files a step works on on local disk: a video being copied and
// scored, a render, a voice track, a composition, an upload being scored (R-TEMP). The
// code that makes a folder removes it when its step ends, whatever happens. A process
// killed in the middle of a step (SIGKILL, out of memory, its machine restarted) runs no
// such code, and its files, a person's video or voice, would stay on the disk for good.
// So each process keeps its folders inside one folder of its own, under one root shared
// by the processes of a machine, and marks that folder alive every minute; each process
// deletes the folders of the others that stopped being marked. Libraries such as `tmp`
// remove their files at a normal exit only, which is the case that needs no help.
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SCRATCH_ABANDONED_AFTER_MS, SCRATCH_HEARTBEAT_MS } from '../domain/retention.ts';

export interface Scratch {
  /** This process's own folder: every folder it makes is inside. */
  readonly home: string;
  /** A new folder, readable by this user only, for one step's files; the step removes it. */
  folder(prefix: string): Promise<string>;
  /** Deletes what processes that stopped marking their folder alive left; their folders' names. */
  sweep(): Promise<string[]>;
  /** Stops marking, and deletes this process's folder with whatever is still in it. */
  close(): Promise<void>;
}

export interface ScratchOptions {
  /** The folder shared by the processes of this machine; under the system's temporary folder by default. */
  root?: string;
  heartbeatMs?: number;
  abandonedAfterMs?: number;
  /** A failed mark or sweep; the next one tries again. */
  onError?: (err: unknown) => void;
}

export const defaultScratchRoot = (): string => path.join(os.tmpdir(), 'clipwise-scratch');

/** This process's scratch space; what dead processes left under the root is deleted at once. */
export async function openScratch(options: ScratchOptions = {}): Promise<Scratch> {
  const root = options.root ?? defaultScratchRoot();
  const heartbeatMs = options.heartbeatMs ?? SCRATCH_HEARTBEAT_MS;
  const abandonedAfterMs = options.abandonedAfterMs ?? SCRATCH_ABANDONED_AFTER_MS;
  await ensurePrivateRoot(root);
  const home = path.join(root, `${process.pid}-${randomUUID()}`);
  await mkdir(home, { mode: 0o700 });

  const sweep = async (): Promise<string[]> => {
    const abandonedBefore = Date.now() - abandonedAfterMs;
    const deleted: string[] = [];
    for (const name of await readdir(root)) {
      const entry = path.join(root, name);
      if (entry === home) continue;
      // Another process's sweep may have deleted it since the listing.
      const stats = await lstat(entry).catch(() => null);
      if (!stats || stats.mtimeMs >= abandonedBefore) continue;
      await rm(entry, { recursive: true, force: true });
      deleted.push(name);
    }
    return deleted;
  };
  /** `call` on this process's folder, made again if it was deleted under us (a sweep on a machine whose clock jumped). */
  const inHome = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(home, { mode: 0o700, recursive: true });
      return call();
    }
  };
  const markAlive = () => {
    const now = new Date();
    return inHome(() => utimes(home, now, now));
  };

  let beat: Promise<unknown> = sweep();
  await beat;
  const timer = setInterval(() => {
    beat = markAlive()
      .then(sweep)
      .catch((err: unknown) => options.onError?.(err));
  }, heartbeatMs);
  timer.unref();

  return {
    home,
    folder: (prefix) => inHome(() => mkdtemp(path.join(home, prefix))),
    sweep,
    async close() {
      clearInterval(timer);
      await beat;
      await rm(home, { recursive: true, force: true });
    },
  };
}

/**
 * The root, made if missing: a real folder of this user that no other user can read or
 * write, never a link. On a shared temporary folder another user could otherwise have
 * made it first, to read the files put in it or to point it elsewhere.
 */
async function ensurePrivateRoot(root: string): Promise<void> {
  await mkdir(root, { mode: 0o700, recursive: true });
  const stats = await lstat(root);
  const uid = process.getuid?.();
  if (!stats.isDirectory()) throw new Error(`the scratch folder ${root} is not a folder`);
  if (uid !== undefined && stats.uid !== uid)
    throw new Error(`the scratch folder ${root} belongs to another user`);
  if ((stats.mode & 0o077) !== 0)
    throw new Error(
      `the scratch folder ${root} is open to other users (mode ${(stats.mode & 0o777).toString(8)})`,
    );
}
