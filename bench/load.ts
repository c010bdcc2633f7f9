// Load test (`npm run load`): the platform as in production (tests/support/e2e-setup.ts:
// the stack, the worker, the API and the built site on free loopback ports) under
// autocannon, one route at a time at a stated concurrency for a stated duration: sign-in,
// the site's create page, a finished job's status, and job creation with Idempotency-Keys.
// Prints one JSON line and a table; it never passes or fails on time.
//
// The rate limits (S-RATE) are part of what is measured, not switched off: sign-ins come
// from many client addresses (the API trusts X-Forwarded-For from its loopback proxy, as
// behind a load balancer) and jobs from many accounts, so a real crowd's load is what
// arrives. A 429 from a deliberate limit is counted apart (`rateLimited`), never as an
// error. Job creation is measured with the worker stopped: the API's work is to accept a
// job and start its workflow, and rendering hundreds of videos on the same cores would
// measure ffmpeg instead.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { loadConfig } from '../config/index.ts';
import { closeOrm, getOrm } from '../db/orm.ts';
import { User } from '../db/entities/index.ts';
import { writeLedger } from '../stores/billing.ts';
import { RATE_LIMITS } from '../domain/accounts.ts';
import { MINUTE, SECOND } from '../domain/time.ts';
import { hashPassword } from '../platform/passwords.ts';
import { TEST_PASSWORD, uniqueEmail } from '../tests/support/accounts.ts';
import { TestClient } from '../tests/support/client.ts';
import { startSiteWorld } from '../tests/support/e2e-setup.ts';
import { waitUntil } from '../scripts/stack/process.ts';

const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 10);
const DURATION_S = Number(process.env.LOAD_DURATION_S ?? 15);
/** Client addresses for sign-ins: enough that none reaches RATE_LIMITS.signIn in one run. */
const SIGN_IN_ADDRESSES = Number(process.env.LOAD_SIGN_IN_ADDRESSES ?? 400);
const SIGN_IN_ACCOUNTS = 100;
/** Creators for job creation: enough that none reaches RATE_LIMITS.generation in one run. */
const CREATORS = Number(process.env.LOAD_CREATORS ?? 100);
/** Jobs rendered for real before the run, whose status is then read. */
const FINISHED_JOBS = 6;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'rejected']);

const progress = (message: string) => process.stderr.write(`[load] ${message}\n`);

interface RouteFigures {
  p50Ms: number;
  p99Ms: number;
  reqPerS: number;
  /** Answers that were neither 2xx nor a deliberate 429, and connection errors, over all requests. */
  errorRate: number;
  requests: number;
  /** 429 answers from the platform's rate limits (S-RATE): counted apart, not errors. */
  rateLimited: number;
  /** Status codes seen, for the reader to judge. */
  statuses: Record<string, number>;
}

function figures(result: autocannon.Result): RouteFigures {
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
  const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
  const ok = Object.entries(statuses)
    .filter(([code]) => code.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  const rateLimited = statuses['429'] ?? 0;
  const failed = answered - ok - rateLimited + result.errors + result.timeouts;
  const requests = answered + result.errors + result.timeouts;
  return {
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    reqPerS: Math.round(result.requests.average * 10) / 10,
    errorRate: requests ? Math.round((failed / requests) * 10_000) / 10_000 : 0,
    requests,
    rateLimited,
    statuses,
  };
}

function cookieHeader(client: TestClient): string {
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Runs one route; `next` builds each request (a different account, address or key each time). */
function measure(
  name: string,
  url: string,
  next: () => { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
): Promise<autocannon.Result> {
  progress(`${name}: ${CONCURRENCY} connections for ${DURATION_S} s`);
  const first = next();
  return autocannon({
    url,
    connections: CONCURRENCY,
    duration: DURATION_S,
    timeout: 30,
    requests: [
      {
        method: first.method,
        path: first.path,
        setupRequest: (request) => {
          const r = next();
          return { ...request, method: r.method, path: r.path, headers: r.headers, body: r.body };
        },
      },
    ],
  });
}

const started = Date.now();
progress('starting the stack, worker, API and site (builds the site)');
const world = await startSiteWorld();
const config = loadConfig({ ...process.env, ...world.stackEnv });
const orm = await getOrm(config.database);
try {
  progress(`platform ready in ${world.startSeconds} s; making accounts`);
  const hash = await hashPassword(TEST_PASSWORD);
  const em = orm.em.fork();
  const makeAccount = () =>
    em.create(User, {
      email: uniqueEmail('load'),
      name: 'Load Test',
      passwordHash: hash,
      dateOfBirth: '1990-05-17',
      role: 'creator',
      status: 'active',
      emailVerifiedAt: new Date(),
      preferences: {},
      createdAt: new Date(),
      updatedAt: new Date(),
    });
  const signInAccounts = Array.from({ length: SIGN_IN_ACCOUNTS }, makeAccount);
  const creatorAccounts = Array.from({ length: CREATORS }, makeAccount);
  await em.flush();
  for (const creator of creatorAccounts) {
    await writeLedger(em, {
      userId: creator.id,
      kind: 'grant',
      credits: 10_000,
      reference: `load:${creator.id}`,
    });
  }

  // Each visitor: its own address, its visitor cookie and the CSRF token bound to it.
  const visitors = await Promise.all(
    Array.from({ length: SIGN_IN_ADDRESSES }, async () => {
      const client = new TestClient(world.apiUrl);
      await client.refreshCsrf();
      return client;
    }),
  );
  const creators = await Promise.all(
    creatorAccounts.map(async (user) => {
      const client = new TestClient(world.apiUrl);
      await client.refreshCsrf();
      const res = await client.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
      if (res.status !== 200) throw new Error(`creator sign-in answered ${res.status}: ${await res.text()}`);
      client.csrfToken = ((await res.json()) as { csrfToken: string }).csrfToken;
      return client;
    }),
  );
  const jobBody = (i: number) =>
    JSON.stringify({
      modelId: 'local-v1',
      prompt: `a calm lake at dawn, take ${i}`,
      durationSeconds: 2,
      aspectRatio: '16:9',
      resolution: '540p',
    });

  progress(`rendering ${FINISHED_JOBS} jobs for the status reads`);
  const finished: { client: TestClient; jobId: string }[] = [];
  for (let i = 0; i < FINISHED_JOBS; i++) {
    const client = creators[i]!;
    const res = await client.request('POST', '/api/jobs', JSON.parse(jobBody(i)), {
      'idempotency-key': randomUUID(),
    });
    if (res.status !== 201) throw new Error(`job creation answered ${res.status}: ${await res.text()}`);
    finished.push({ client, jobId: ((await res.json()) as { id: string }).id });
  }
  for (const { client, jobId } of finished) {
    await waitUntil(
      `job ${jobId} to finish`,
      async () =>
        TERMINAL.has(((await (await client.get(`/api/jobs/${jobId}`)).json()) as { status: string }).status),
      { timeoutMs: 5 * MINUTE, intervalMs: SECOND / 2 },
    );
  }

  let n = 0;
  const signIn = figures(
    await measure('signIn', world.apiUrl, () => {
      const visitor = visitors[n % visitors.length]!;
      const account = signInAccounts[n++ % signInAccounts.length]!;
      return {
        method: 'POST',
        path: '/api/auth/sign-in',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': visitor.ip,
          'x-csrf-token': visitor.csrfToken!,
          cookie: cookieHeader(visitor),
        },
        body: JSON.stringify({ email: account.email, password: TEST_PASSWORD }),
      };
    }),
  );

  const createPage = figures(
    await measure('createPage', world.siteUrl, () => {
      const creator = creators[n++ % creators.length]!;
      return {
        method: 'GET',
        path: '/create',
        headers: {
          'x-forwarded-for': creator.ip,
          'x-forwarded-proto': 'http',
          cookie: cookieHeader(creator),
        },
      };
    }),
  );

  const jobStatus = figures(
    await measure('jobStatus', world.apiUrl, () => {
      const { client, jobId } = finished[n++ % finished.length]!;
      return {
        method: 'GET',
        path: `/api/jobs/${jobId}`,
        headers: { 'x-forwarded-for': client.ip, cookie: cookieHeader(client) },
      };
    }),
  );

  progress('stopping the worker: job creation measures the API accepting jobs');
  await world.stopService('worker');
  const createJob = figures(
    await measure('createJob', world.apiUrl, () => {
      const creator = creators[n % creators.length]!;
      return {
        method: 'POST',
        path: '/api/jobs',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': creator.ip,
          'x-csrf-token': creator.csrfToken!,
          'idempotency-key': randomUUID(),
          cookie: cookieHeader(creator),
        },
        body: jobBody(n++),
      };
    }),
  );

  const routes = { signIn, createJob, jobStatus, createPage };
  const result = {
    bench: 'load',
    concurrency: CONCURRENCY,
    durationS: DURATION_S,
    routes: Object.fromEntries(
      Object.entries(routes).map(([name, f]) => [
        name,
        {
          p50Ms: f.p50Ms,
          p99Ms: f.p99Ms,
          reqPerS: f.reqPerS,
          errorRate: f.errorRate,
          requests: f.requests,
          rateLimited: f.rateLimited,
        },
      ]),
    ),
    rateLimits: {
      signIn: `${RATE_LIMITS.signIn.limit} per ${RATE_LIMITS.signIn.windowMs / MINUTE} min per client address; spread over ${SIGN_IN_ADDRESSES} addresses and ${SIGN_IN_ACCOUNTS} accounts`,
      createJob: `${RATE_LIMITS.generation.limit} per ${RATE_LIMITS.generation.windowMs / MINUTE} min per account; spread over ${CREATORS} accounts`,
      jobStatus: 'none',
      createPage: 'none',
    },
    notes: {
      createJob:
        'local-v1, 2 s at 540p, a new Idempotency-Key each request; worker stopped (workflows started, not run)',
      jobStatus: `GET /api/jobs/:id of ${FINISHED_JOBS} jobs rendered before the run, each read by its owner`,
      createPage: 'GET /create on the built site (server-side load: models, balance) as a signed-in creator',
    },
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  console.log(JSON.stringify(result));
  console.table(
    Object.fromEntries(
      Object.entries(routes).map(([name, f]) => [
        name,
        {
          'p50 ms': f.p50Ms,
          'p99 ms': f.p99Ms,
          'req/s': f.reqPerS,
          requests: f.requests,
          '429 (limit)': f.rateLimited,
          'error rate': f.errorRate,
          statuses: Object.entries(f.statuses)
            .map(([code, count]) => `${code}×${count}`)
            .join(' '),
        },
      ]),
    ),
  );
} finally {
  await closeOrm(config.database);
  await world.stop();
}
