// Where the local tools live. `scripts/tools.sh` builds them from the registries into
// the per-user tools folder; a tool already on PATH is used as it is. The dev engine is
// the Temporal CLI's dev server; the production engine is temporal-server (with
// temporal-sql-tool for its schemas) and temporal-ui-server.
import { accessSync, constants } from 'node:fs';
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
