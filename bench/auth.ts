// Sign-in latency with argon2id at the cost in domain/accounts.ts: the full HTTP
// sign-in (rate limit, lock-out check, password check, session, audit event) against
// the real stack, beside the bare argon2id verification measured in the same run.
// Prints one JSON line and a table; it never passes or fails on time.
import { performance } from 'node:perf_hooks';
import { ARGON2_PARAMS } from '../domain/accounts.ts';
import { hashPassword, verifyPassword } from '../platform/passwords.ts';
import { startTestStack } from '../tests/support/stack.ts';
import { startPlatform } from '../tests/support/platform.ts';
import { TestClient } from '../tests/support/client.ts';
import { TEST_PASSWORD, createAccount } from '../tests/support/accounts.ts';

const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 200);
const WARM_UP = 10;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    p50: +percentile(s, 50).toFixed(2),
    p99: +percentile(s, 99).toFixed(2),
    mean: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2),
  };
};

const stack = await startTestStack();
const platform = await startPlatform(stack.env, { workers: false });
try {
  const hash = await hashPassword(TEST_PASSWORD);
  const bare: number[] = [];
  for (let i = 0; i < SIGN_INS + WARM_UP; i++) {
    const t = performance.now();
    await verifyPassword(hash, TEST_PASSWORD);
    if (i >= WARM_UP) bare.push(performance.now() - t);
  }

  const user = await createAccount(platform);
  const http: number[] = [];
  for (let i = 0; i < SIGN_INS + WARM_UP; i++) {
    // A new client address each time keeps the per-address rate limit out of the measurement.
    const client = new TestClient(platform.api.url);
    await client.refreshCsrf();
    const t = performance.now();
    const res = await client.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
    const took = performance.now() - t;
    if (res.status !== 200) throw new Error(`sign-in answered ${res.status}`);
    if (i >= WARM_UP) http.push(took);
  }
  const result = {
    bench: 'auth.sign_in',
    argon2id: ARGON2_PARAMS,
    samples: SIGN_INS,
    signInMs: summary(http),
    argon2VerifyMs: summary(bare),
    ratioP50: +(summary(http).p50 / summary(bare).p50).toFixed(2),
  };
  console.log(JSON.stringify(result));
  console.table({ 'HTTP sign-in (ms)': result.signInMs, 'argon2id verify only (ms)': result.argon2VerifyMs });
} finally {
  await platform.stop();
  await stack.stop();
}
