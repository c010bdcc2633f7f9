// globalSetup of the `workflows` test project: installs the Temporal time-skipping test
// server (Java, scripts/temporal-test-server.sh) and bundles workflows/ ONCE, in parallel;
// every test file then starts a server of its own (about a second with the launcher's
// class-data archive) and uses the bundle (tests/support/workflow-env.ts). A server per
// file, because its clock and its time-skipping locks are global to it: a file that
// left them unbalanced stopped time for every later file.
//
// The server is started as the SDK's createTimeSkipping starts it: with the port only, no
// `--enable-time-skipping`. It then holds one lock on its clock, which the SDK's client
// lifts only while a test awaits a result or calls env.sleep; time otherwise runs at
// wall-clock pace, so a test can signal and query first. The SDK's unlock/lock pairs
// assume that lock: with the flag they lift the server's own locks instead (tried: an
// activity a test held open timed out as the clock ran past it). Time is global to the
// server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal.ts';
import { freePort } from '../../scripts/stack/process.ts';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../worker/bundle-options.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The workflows/ bundle, built once for the run. */
    workflowBundlePath: string;
  }
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Generous: the JVM listens in about 1 s here, but the machine's cores are shared. */
const START_TIMEOUT_MS = 60_000;

// The package is CommonJS; its namespaces come through the default export under plain Node.
const IndexedValueType = protos.temporal.api.enums.v1.IndexedValueType;
const INDEXED_TYPES = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
} as const;

export default async function setup(project: TestProject) {
  // The server's installation (once) beside the bundle; each file starts its own server.
  const [, bundlePath] = await Promise.all([testServerLauncher(), bundleWorkflows()]);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await rm(path.dirname(bundlePath), { recursive: true, force: true });
  };
}

async function bundleWorkflows(): Promise<string> {
  const quiet = () => {};
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    // The bundler reports every module at info level; only its warnings and errors matter.
    logger: {
      log: quiet,
      trace: quiet,
      debug: quiet,
      info: quiet,
      warn: (message) => console.warn(message),
      error: (message) => console.error(message),
    },
  });
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'clipwise-workflow-tests-')), 'bundle.js');
  await writeFile(file, code);
  return file;
}

export interface RunningServer {
  address: string;
  stop(): void;
}

/** Installs the server on the first run (tools.sh usually did already); answers the launcher's path. */
async function testServerLauncher(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [path.join(ROOT, 'scripts/temporal-test-server.sh')], {
    maxBuffer: 1 << 20,
  });
  return stdout.trim();
}

/** A time-skipping test server of its own on a free port, with the platform's search attributes. */
export async function startTestServer(): Promise<RunningServer> {
  const launcher = await testServerLauncher();
  const port = await freePort();
  const child = spawn(launcher, [String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const address = `127.0.0.1:${port}`;
  try {
    await waitForPort(child, port, () => stderr);
    await registerSearchAttributes(address);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { address, stop: () => child.kill('SIGKILL') };
}

async function waitForPort(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the Temporal test server exited before listening:\n${output()}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`the Temporal test server did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Workflows upsert these (DueAt, RequestType, ...); the test server refuses unknown keys. */
async function registerSearchAttributes(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, INDEXED_TYPES[type]]),
      ),
    });
  } finally {
    await connection.close();
  }
}
