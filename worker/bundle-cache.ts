// The development workflow bundle, built from the sources once and kept under
// .data/workflow-bundles/<hash of the sources>.js until they change. Workflow code
// imports only workflows/, domain/ and the Temporal packages, so those decide the hash,
// with the options the bundler is given.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../platform/logger.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['workflows', 'domain'];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((e) => {
      const full = path.join(dir, e.name);
      return e.isDirectory() ? sourceFiles(full) : Promise.resolve(e.name.endsWith('.ts') ? [full] : []);
    }),
  );
  return files.flat().sort();
}

export async function bundleSourceHash(options = ''): Promise<string> {
  const hash = createHash('sha256').update(options);
  for (const dir of SOURCES) {
    for (const file of await sourceFiles(path.join(ROOT, dir))) {
      hash.update(path.relative(ROOT, file)).update(await readFile(file));
    }
  }
  hash.update(await readFile(path.join(ROOT, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

/** The bundle's path, building it first when the sources changed since the last build. */
export async function ensureBundle(
  build: () => Promise<string>,
  logger: Pick<Logger, 'info'>,
  /** The bundler's options, as text: a change builds anew. */
  options = '',
): Promise<string> {
  const dir = path.join(ROOT, '.data', 'workflow-bundles');
  const file = path.join(dir, `${await bundleSourceHash(options)}.js`);
  if (existsSync(file)) return file;
  const started = Date.now();
  const code = await build();
  await mkdir(dir, { recursive: true });
  // Written aside, then renamed: a second worker starting at once never reads half a file.
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, code);
  await rename(partial, file);
  logger.info({ file, ms: Date.now() - started }, 'workflow bundle built');
  return file;
}
