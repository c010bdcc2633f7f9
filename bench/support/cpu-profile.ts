// Where a process's CPU time went, from a V8 CPU profile (node --cpu-prof): self time by
// module (a package under node_modules, a file of ours, or the runtime), and inclusive
// time of this project's own functions (a function's time with everything it called).
//
//   node bench/support/cpu-profile.ts <file.cpuprofile> [--per <count>] [--top 25]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printTable, round } from './figures.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A frame's module: `pkg` for node_modules/pkg (or @scope/pkg), a project path, or the runtime's label. */
function moduleOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'native'})`;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (file.startsWith(ROOT)) return path.relative(ROOT, file);
  return file.startsWith('node:') ? 'node (runtime)' : file;
}

/**
 * `window` keeps only the samples taken between `from` and `to` (ms since the epoch),
 * placing the profile's start at `processStartedAt` (the profiler starts with the
 * process, so the error is the process's few milliseconds of boot).
 */
export async function summarize(
  file: string,
  options: {
    per?: number;
    top?: number;
    window?: { processStartedAt: number; from: number; to: number };
  } = {},
) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const moduleInclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let at = 0;
  const { window } = options;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window) {
      const epochMs = window.processStartedAt + at / 1000;
      if (epochMs < window.from || epochMs > window.to) return;
    }
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)') {
      idle += ms;
      return;
    }
    total += ms;
    const mod = moduleOf(node.callFrame.url, name);
    self.set(mod, (self.get(mod) ?? 0) + ms);
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const f = byId.get(node)!.callFrame;
      const m = `module ${moduleOf(f.url, f.functionName)}`;
      if (!seen.has(m)) {
        seen.add(m);
        moduleInclusive.set(m, (moduleInclusive.get(m) ?? 0) + ms);
      }
      if (!f.url.includes(ROOT) || f.url.includes('node_modules')) continue;
      const key = `${path.relative(ROOT, fileURLToPath(f.url))}:${f.lineNumber + 1} ${f.functionName || '(anonymous)'}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  });
  const per = options.per ?? 1;
  const top = options.top ?? 25;
  const unit = per > 1 ? `ms per unit (${per} units)` : 'ms';
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => [k, round(v / per, 3), `${round((v / total) * 100)}%`]);
  printTable(
    `CPU busy ${round(total)} ms (idle ${round(idle)} ms); self time by module, ${unit}`,
    rows(self),
  );
  printTable(`Inclusive time by module (with what it called), ${unit}`, rows(moduleInclusive));
  printTable(`Inclusive time of this project's functions, ${unit}`, rows(inclusive));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { per: { type: 'string' }, top: { type: 'string' } },
  });
  await summarize(positionals[0]!, { per: Number(values.per ?? 1), top: Number(values.top ?? 25) });
}
