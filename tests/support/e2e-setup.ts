// The browser tests' world, started once per run: the real stack (PostgreSQL, Temporal,
// MinIO, stripe-mock, MailDev) on free loopback ports, the platform as its production
// processes (`node api/main.ts`, `node worker/main.ts`) and the site as built for
// production (`vite build` with adapter-node, then `node web/build/index.js`), with
// PUBLIC_WEB_URL pointing at the site so emailed links, CORS and CSRF all match it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { MAX_UPLOAD_BYTES, MULTIPART_OVERHEAD_BYTES } from '../../domain/retention.ts';
import { createLogger } from '../../platform/logger.ts';
import {
  freePort,
  prefixedLog,
  startProcess,
  waitUntil,
  type LogSink,
  type Service,
} from '../../scripts/stack/process.ts';
import { buildWorkflowBundle } from '../../worker/workers.ts';
import { SIMULATOR_API_KEY, startProviderSimulator } from './simulator/index.ts';
import { startTestStack } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The site's origin, e.g. http://127.0.0.1:41234. */
    siteUrl: string;
    /** The API's own address (tests reach it through the site's /api proxy, like a browser). */
    apiUrl: string;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEB = path.join(ROOT, 'web');

/** The platform's own processes, whose errors are worth reading after a failed test. */
const PLATFORM_SERVICES = new Set(['worker', 'api', 'web']);
const PINO_ERROR = 50;

/** An error-level JSON log line, or plain text that reads as an error (a stack trace, a crash). */
function isProblem(line: string): boolean {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === 'number' && level >= PINO_ERROR;
  } catch {
    return /error|exception|fatal|^\s+at /i.test(line);
  }
}

/**
 * Keeps each process's last lines, printed only if start-up fails (or always with
 * STACK_LOG=1), and the platform's errors during the run, printed when the run ends: a
 * browser test that waits in vain for a workflow says little; the worker's log says why.
 */
function logKeeper() {
  const recent: string[] = [];
  const problems: string[] = [];
  const sink: LogSink = (service, line) => {
    if (process.env.STACK_LOG) prefixedLog(service, line);
    recent.push(`${service} | ${line}`);
    if (recent.length > 300) recent.shift();
    if (PLATFORM_SERVICES.has(service) && isProblem(line)) {
      problems.push(`${service} | ${line}`);
      if (problems.length > 80) problems.shift();
    }
  };
  return { sink, dump: () => recent.join('\n'), problems: () => problems.join('\n') };
}

/** `vite build` of the site, as the Dockerfile does it. */
function buildSite(log: LogSink): Promise<void> {
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: WEB,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        log('vite', line);
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`vite build failed (${code}):\n${lines.slice(-40).join('\n')}`)),
    );
  });
}

export interface SiteWorld {
  /** The site's origin, e.g. http://127.0.0.1:41234. */
  siteUrl: string;
  /** The API's own address. */
  apiUrl: string;
  mailWebUrl: string;
  /** The stack's environment, with the workflow bundle the worker loads. */
  stackEnv: Record<string, string>;
  /** Seconds from the call to a serving site. */
  startSeconds: number;
  /** Stops one of the platform's processes on purpose (the load test stops the worker). */
  stopService(name: 'worker' | 'api' | 'web'): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole platform as in production, on free loopback ports: the stack, the provider
 * simulator, the worker, the API and the built site. The browser tests start it once per
 * run; the load test (bench/load.ts) starts its own.
 */
export async function startSiteWorld(): Promise<SiteWorld> {
  const { sink: log, dump, problems } = logKeeper();
  const services: Service[] = [];
  const stoppedOnPurpose = new Set<string>();
  let stopping = false;
  /** A platform process that ends during the run fails every test after it: say so at once. */
  const watch = (service: Service) => {
    void service.exited.then((code) => {
      if (!stopping && !stoppedOnPurpose.has(service.name))
        process.stderr.write(`\n--- e2e: ${service.name} exited (${code}) during the run ---\n`);
    });
    return service;
  };
  const started = Date.now();
  const bundleDir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-e2e-bundle-'));
  const bundlePath = path.join(bundleDir, 'workflow-bundle.js');

  const [stack, simulator] = await Promise.all([
    startTestStack({ log }),
    // Every provider's API on loopback, so the site offers every model (uploads, image roles,
    // fallbacks) while the tests still render with the local provider where they choose it.
    startProviderSimulator(),
    buildWorkflowBundle(createLogger({ level: 'warn', name: 'bundle' })).then((code) =>
      writeFile(bundlePath, code),
    ),
    buildSite(log),
  ]);

  const stopAll = async () => {
    stopping = true;
    const logged = problems();
    if (logged) process.stderr.write(`\n--- e2e: errors the platform logged during the run ---\n${logged}\n`);
    await Promise.all(services.reverse().map((s) => s.stop()));
    await stack.stop();
    await simulator.stop();
    await rm(bundleDir, { recursive: true, force: true });
  };

  try {
    const [apiPort, webPort] = await Promise.all([freePort(), freePort()]);
    const siteUrl = `http://127.0.0.1:${webPort}`;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const platformEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...stack.env,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      API_INTERNAL_URL: apiUrl,
      PUBLIC_WEB_URL: siteUrl,
      PUBLIC_API_URL: siteUrl,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      FORCE_COLOR: '0',
      RUNWAY_API_KEY: SIMULATOR_API_KEY,
      RUNWAY_BASE_URL: simulator.url,
      LUMA_API_KEY: SIMULATOR_API_KEY,
      LUMA_BASE_URL: simulator.url,
      FAL_KEY: SIMULATOR_API_KEY,
      FAL_QUEUE_URL: simulator.url,
      FAL_WEBHOOK_JWKS_URL: simulator.falJwksUrl,
      ARK_API_KEY: SIMULATOR_API_KEY,
      ARK_BASE_URL: simulator.url,
      EVOLINK_API_KEY: SIMULATOR_API_KEY,
      EVOLINK_BASE_URL: simulator.url,
    };
    for (const [name, entry] of [
      ['worker', 'worker/main.ts'],
      ['api', 'api/main.ts'],
    ] as const) {
      services.push(
        watch(
          startProcess(name, process.execPath, [path.join(ROOT, entry)], {
            cwd: ROOT,
            env: platformEnv,
            log,
            stopTimeoutMs: 15_000,
          }),
        ),
      );
    }
    const api = services.at(-1)!;
    await waitUntil('api', async () => (await fetch(`${apiUrl}/readyz`)).ok, {
      timeoutMs: 120_000,
      intervalMs: 250,
      exited: api.exited,
    });

    const web = startProcess('web', process.execPath, [path.join(WEB, 'build', 'index.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(webPort),
        API_INTERNAL_URL: apiUrl,
        // As behind a load balancer, which tells the site each browser's address and the
        // scheme it used (adapter-node 6 reads no ORIGIN; without a protocol header it assumes
        // https, and SvelteKit's CSRF check would refuse http form posts). Each test's browser
        // presents its own address, so per-address rate limits apply per test user.
        ADDRESS_HEADER: 'x-forwarded-for',
        XFF_DEPTH: '1',
        PROTOCOL_HEADER: 'x-forwarded-proto',
        // Videos play from the object storage through presigned links: the pages' content
        // security policy allows that origin for media (web/src/hooks.server.ts).
        S3_ENDPOINT: stack.env.S3_ENDPOINT!,
        // Uploads stream through the site's /api proxy; adapter-node's 512 KB default would
        // refuse most images before the API could judge them.
        BODY_SIZE_LIMIT: String(MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES),
      },
      log,
    });
    services.push(watch(web));
    await waitUntil(
      'web',
      async () =>
        (
          await fetch(`${siteUrl}/privacy`, {
            headers: { 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'http' },
          })
        ).ok,
      { timeoutMs: 60_000, intervalMs: 200, exited: web.exited },
    );

    return {
      siteUrl,
      apiUrl,
      mailWebUrl: stack.mailWebUrl,
      stackEnv: { ...stack.env, WORKFLOW_BUNDLE_PATH: bundlePath },
      startSeconds: Math.round((Date.now() - started) / 100) / 10,
      async stopService(name) {
        stoppedOnPurpose.add(name);
        await services.find((s) => s.name === name)?.stop();
      },
      stop: stopAll,
    };
  } catch (err) {
    process.stderr.write(`\n--- e2e start-up failed; recent logs ---\n${dump()}\n`);
    await stopAll();
    throw err;
  }
}

export default async function setup(project: TestProject) {
  const world = await startSiteWorld();
  project.provide('siteUrl', world.siteUrl);
  project.provide('apiUrl', world.apiUrl);
  project.provide('mailWebUrl', world.mailWebUrl);
  project.provide('stackEnv', world.stackEnv);
  console.log(JSON.stringify({ e2e: 'setup', seconds: world.startSeconds, siteUrl: world.siteUrl }));
  return world.stop;
}
