// Where the local tools live. `scripts/tools.sh` builds them from the registries into
// the per-user tools folder; a tool already on PATH is used as it is. The dev engine is
// the Temporal CLI's dev server; the production engine is temporal-server (with
// temporal-sql-tool for its schemas) and temporal-ui-server.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export const TOOL_NAMES = [
  'temporal',
  'stripe-mock',
  'minio',
  'temporal-server',
  'temporal-sql-tool',
  'temporal-ui-server',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLIPWISE_TOOLS_DIR) return env.CLIPWISE_TOOLS_DIR;
  const cache = env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(cache, 'clipwise', 'tools');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The tool's path: PATH first, then the tools folder. Throws with the command that builds it. */
export function locateTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  const built = path.join(toolsDir(env), 'bin', name);
  if (isExecutable(built)) return built;
  throw new Error(`${name} not found on PATH or in ${path.dirname(built)}; run: bash scripts/tools.sh`);
}

export type PgClientProgram = 'pg_dump' | 'pg_restore';

/** The major version a PostgreSQL program reports (`pg_dump (PostgreSQL) 18.4` -> 18). */
export function pgProgramMajor(file: string): number {
  const out = execFileSync(file, ['--version'], { encoding: 'utf8' });
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(out);
  if (!match) throw new Error(`${file} --version said "${out.trim()}", not a PostgreSQL version`);
  return Number(match[1]);
}

/**
 * A pg_dump or pg_restore that can work with a server of `serverMajor`: the newest one
 * among those fetched by `scripts/tools.sh` (postgresql-<version>/bin in the tools
 * folder) and those on PATH. pg_dump reads servers of its own major or older only, so
 * an older one is refused with the command that fetches the right one.
 */
export function locatePgClient(
  name: PgClientProgram,
  serverMajor: number,
  env: NodeJS.ProcessEnv = process.env,
): { path: string; major: number } {
  const fetched = existsSync(toolsDir(env))
    ? readdirSync(toolsDir(env), { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name.startsWith('postgresql-'))
        .map((d) => path.join(toolsDir(env), d.name, 'bin'))
    : [];
  const dirs = [...fetched, ...(env.PATH ?? '').split(path.delimiter).filter(Boolean)];
  const found = dirs
    .map((dir) => path.join(dir, name))
    .filter(isExecutable)
    .map((file) => ({ path: file, major: pgProgramMajor(file) }))
    .sort((a, b) => b.major - a.major);
  const best = found[0];
  if (!best || best.major < serverMajor) {
    const seen = best ? `the newest found is ${best.major} (${best.path})` : 'none was found';
    throw new Error(
      `${name} ${serverMajor} or newer is needed for this PostgreSQL ${serverMajor} server; ${seen}. ` +
        'Fetch the matching client programs with: bash scripts/tools.sh',
    );
  }
  return best;
}
