// What every benchmark shares: percentiles, the machine's load, memory read from /proc,
// progress lines on stderr, and the human-readable table printed after the JSON line.
import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';

export const MiB = 1024 * 1024;

/** Wall-clock milliseconds since the epoch, with sub-millisecond precision. */
export const now = () => performance.timeOrigin + performance.now();

/** Nearest-rank percentile (p in 0..100) of unsorted numbers; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const mean = (values: readonly number[]) =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

export function progress(bench: string, message: string): void {
  process.stderr.write(
    `[bench:${bench}] ${new Date().toISOString().slice(11, 19)} ${message} (load ${loadAverage()})\n`,
  );
}

/** Resident set size now and its peak so far (VmHWM), in MiB, from /proc; null once the process is gone. */
export async function memoryOf(pid: number | 'self'): Promise<{ rssMiB: number; hwmMiB: number } | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** How often a tree's sampler looks again for the processes in it (a helper started or gone). */
const TREE_REFRESH_MS = 2000;

/**
 * Samples a process's RSS from /proc every `intervalMs`; its peak is the highest of the
 * samples and the kernel's own high-water mark (VmHWM), read one last time on stop.
 */
export class RssSampler {
  readonly samples: { at: number; rssMiB: number }[] = [];
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly pid: number;
  private readonly intervalMs: number;

  private readonly tree: boolean;

  /** `tree`: the process with every process under it (a helper it started), summed. */
  constructor(pid: number, intervalMs = 250, options: { tree?: boolean } = {}) {
    this.pid = pid;
    this.intervalMs = intervalMs;
    this.tree = options.tree ?? false;
  }

  start(): this {
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    void this.sample();
    return this;
  }

  private async sample(): Promise<void> {
    const m = await memoryOf(this.pid);
    if (!m) return;
    let rssMiB = m.rssMiB;
    if (this.tree) {
      for (const child of await this.members()) rssMiB += (await memoryOf(child))?.rssMiB ?? 0;
    }
    this.samples.push({ at: Date.now(), rssMiB });
    // A tree's peak is its highest sampled sum; the kernel's high-water mark is per process.
    this.peak = Math.max(this.peak, rssMiB, this.tree ? 0 : m.hwmMiB);
  }

  private known: { pids: number[]; at: number } | undefined;

  /**
   * The processes under this one, looked up again every TREE_REFRESH_MS. The lookup reads
   * every process's /proc entry: done at each of two samplers' 250 ms samples, it cost the
   * observing process about a tenth of a core (98 ms of CPU a second with 67 processes),
   * taken from the sides it measures on a two-core machine.
   */
  private async members(): Promise<number[]> {
    if (!this.known || Date.now() - this.known.at >= TREE_REFRESH_MS) {
      this.known = { pids: await descendantsOf(this.pid), at: Date.now() };
    }
    return this.known.pids;
  }

  /** The RSS now (last sample), MiB. */
  get currentMiB(): number {
    return this.samples.at(-1)?.rssMiB ?? NaN;
  }

  /** Highest RSS seen in [from, to] (ms since the epoch), from the samples alone. */
  peakBetween(from: number, to = Infinity): number {
    return Math.max(0, ...this.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.rssMiB));
  }

  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.sample();
    return this.peak;
  }

  get peakMiB(): number {
    return this.peak;
  }
}

/** Prints rows as two aligned columns (or more), after a title. */
export function printTable(title: string, rows: readonly (readonly (string | number)[])[]): void {
  const cells = rows.map((r) => r.map(String));
  const widths = cells.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  console.log(`\n${title}`);
  for (const r of cells)
    console.log(
      `  ${r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}`,
    );
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/**
 * CPU time (user + system) a process has used so far, in seconds, from /proc, and that of
 * the children it has already reaped (fields 16 and 17): a short-lived helper's time,
 * such as an ffmpeg the classifier started and waited for, is there once it has ended and
 * nowhere else. NaN once the process is gone.
 */
export async function cpuSecondsSplitOf(pid: number | 'self'): Promise<{ own: number; reaped: number }> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return { own: (f[11]! + f[12]!) / CLOCK_TICKS, reaped: (f[13]! + f[14]!) / CLOCK_TICKS };
  } catch {
    return { own: NaN, reaped: NaN };
  }
}

/** A process's own CPU seconds so far; NaN once it is gone. */
export async function cpuSecondsOf(pid: number | 'self'): Promise<number> {
  return (await cpuSecondsSplitOf(pid)).own;
}

/**
 * CPU seconds of a process and every process under it (a helper it started), the ones
 * that have ended included: a live helper counts in itself, an ended one in its parent.
 */
export async function cpuSecondsOfTree(pid: number): Promise<number> {
  const withReaped = async (p: number) => {
    const { own, reaped } = await cpuSecondsSplitOf(p);
    return own + reaped;
  };
  let total = await withReaped(pid);
  for (const child of await descendantsOf(pid)) total += (await withReaped(child)) || 0;
  return total;
}

/** Every live process under `pid`, from each process's parent in /proc. */
export async function descendantsOf(pid: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone since the listing
    }
  }
  const found: number[] = [];
  const under = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, parent] of parentOf) {
      if (under.has(parent) && !under.has(child)) {
        under.add(child);
        found.push(child);
        grew = true;
      }
    }
  }
  return found;
}
/** USER_HZ: 100 on Linux for every architecture Node.js runs on. */
const CLOCK_TICKS = 100;

/**
 * Jobs arriving at a fixed rate, whatever happens to the ones before (open loop): job i
 * is due at `i / ratePerS` seconds after the start and sent then, not when another ends.
 * Each outcome's latency counts from when it was due, so a late send (the generator
 * itself falling behind) is charged to the latency, never hidden.
 */
export async function openLoop<T>(
  count: number,
  ratePerS: number,
  job: (index: number) => Promise<T>,
): Promise<{
  outcomes: { dueAt: number; doneAt: number; result?: T; error?: string }[];
  firstDueAt: number;
  lastDoneAt: number;
  maxSendLagMs: number;
}> {
  const firstDueAt = now() + 50;
  const dueAt = (i: number) => firstDueAt + (i * 1000) / ratePerS;
  const outcomes: { dueAt: number; doneAt: number; result?: T; error?: string }[] = [];
  const running: Promise<void>[] = [];
  let maxSendLagMs = 0;
  for (let i = 0; i < count;) {
    const wait = dueAt(i) - now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    for (const t = now(); i < count && dueAt(i) <= t + 1; i++) {
      const index = i;
      maxSendLagMs = Math.max(maxSendLagMs, t - dueAt(index));
      running.push(
        job(index).then(
          (result) => void (outcomes[index] = { dueAt: dueAt(index), doneAt: now(), result }),
          (err: unknown) =>
            void (outcomes[index] = { dueAt: dueAt(index), doneAt: now(), error: String(err) }),
        ),
      );
    }
  }
  await Promise.all(running);
  return { outcomes, firstDueAt, lastDoneAt: Math.max(...outcomes.map((o) => o.doneAt)), maxSendLagMs };
}
