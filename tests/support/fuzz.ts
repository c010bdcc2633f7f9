// The API fuzz test's machinery (tests/integration/api-fuzz.test.ts): schemathesis, installed
// by scripts/schemathesis.sh from PyPI, run against the platform from its own OpenAPI
// document, and the session broker its hooks (schemathesis_hooks.py) ask for a signed-in
// account: a fresh creator, or a fresh admin who passed two-factor authentication.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createAccount, signIn } from './accounts.ts';
import { json } from './http.ts';
import type { TestPlatform } from './platform.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
export type FuzzRole = 'creator' | 'staff';

/** The schemathesis command, installed on first use (normally by `scripts/tools.sh --all`). */
export async function schemathesisCommand(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [path.join(ROOT, 'scripts/schemathesis.sh')]);
  return stdout.trim().split('\n').at(-1)!;
}

export interface SessionBroker {
  url: string;
  /** Sessions handed out, by role. */
  issued: Record<FuzzRole, number>;
  /** The accounts it made (not made through the API, so without a sign-up's starting credits). */
  users: Set<string>;
  close(): Promise<void>;
}

/** A signed-in account as the hooks use it: its cookies, its CSRF token, its address. */
async function freshSession(platform: TestPlatform, role: FuzzRole, made: Set<string>) {
  const user = await createAccount(
    platform,
    role === 'staff' ? { role: 'admin', mfa: true } : { credits: 1_000 },
  );
  made.add(user.id);
  const account = { user, client: await signIn(platform, user) };
  // A published change that needs consent gates every account until it accepts it, as a
  // person would before going on (the fuzz publishes such changes as staff).
  const policy = await json(await account.client.get('/api/privacy/policy'));
  if (policy.acceptanceRequired) {
    const res = await account.client.post('/api/privacy/policy/accept', { version: policy.current });
    if (res.status !== 200) throw new Error(`policy acceptance: ${res.status} ${await res.text()}`);
  }
  return {
    userId: account.user.id,
    cookie: [...account.client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    csrfToken: account.client.csrfToken,
  };
}

export async function startSessionBroker(platform: TestPlatform): Promise<SessionBroker> {
  const issued: Record<FuzzRole, number> = { creator: 0, staff: 0 };
  const users = new Set<string>();
  const server: Server = createServer((req, res) => {
    const role = new URL(req.url ?? '/', 'http://broker').searchParams.get('role');
    if (role !== 'creator' && role !== 'staff') {
      res.writeHead(400).end();
      return;
    }
    freshSession(platform, role, users).then(
      (session) => {
        issued[role] += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(session));
      },
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    issued,
    users,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface FuzzOptions {
  role: FuzzRole;
  broker: SessionBroker;
  /** Only these operations ("GET /api/ops/jobs/{id}"); every one when absent. */
  operations?: readonly string[];
  /** Fuzzing-phase test cases per operation (the coverage phase's cases come from each schema). */
  maxExamples: number;
  seed: number;
}

export interface FuzzResult {
  exitCode: number | null;
  /** schemathesis' own report: what failed, with the request that shows it. */
  output: string;
  /** Operations run, and those that failed or errored (from the JUnit report). */
  operations: number;
  failures: number;
  errors: number;
  /** Test cases generated and sent. */
  cases: number;
  seconds: number;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs schemathesis against the platform's own document, as one role. */
export async function runSchemathesis(platform: TestPlatform, options: FuzzOptions): Promise<FuzzResult> {
  const command = await schemathesisCommand();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-fuzz-'));
  const junit = path.join(dir, 'junit.xml');
  const only = options.operations
    ? [`--include-name-regex=^(${options.operations.map(escapeRegex).join('|')})$`]
    : [];
  const args = [
    `--config-file=${path.join(import.meta.dirname, 'schemathesis.toml')}`,
    'run',
    `${platform.api.url}/api/openapi.json`,
    '--url',
    platform.api.url,
    ...only,
    '--checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
    '--phases=examples,coverage,fuzzing',
    `--max-examples=${options.maxExamples}`,
    `--seed=${options.seed}`,
    // One at a time: the platform (API, workers, stack) needs the other core.
    '--workers=1',
    // A redirect (Sign in with Google) names another host: it is checked, never followed.
    '--max-redirects=0',
    '--request-timeout=30',
    '--generation-database=none',
    '--no-color',
    // Test data only: the failure report shows what was sent.
    '--output-sanitize=false',
    '--report=junit',
    `--report-junit-path=${junit}`,
    '--continue-on-failure',
  ];
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: dir,
    env: {
      ...process.env,
      SCHEMATHESIS_HOOKS: 'schemathesis_hooks',
      PYTHONPATH: import.meta.dirname,
      CLIPWISE_FUZZ_BROKER: options.broker.url,
      CLIPWISE_FUZZ_ROLE: options.role,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  const report = await readFile(junit, 'utf8').catch(() => '');
  await rm(dir, { recursive: true, force: true });
  const count = (name: string) =>
    Number(new RegExp(`<testsuite[^>]*\\s${name}="(\\d+)"`).exec(report)?.[1] ?? -1);
  return {
    exitCode,
    output,
    operations: count('tests'),
    failures: count('failures'),
    errors: count('errors'),
    cases: Number(/(\d+) generated/.exec(output)?.[1] ?? -1),
    seconds,
  };
}
