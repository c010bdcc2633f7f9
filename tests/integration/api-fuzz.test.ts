// The API fuzzed from its own OpenAPI document (issue 13 item 3). schemathesis (installed by
// scripts/schemathesis.sh) generates requests for every operation, from the document's
// schemas (the coverage phase: each schema's boundaries and near-misses; then random cases),
// sends them as a signed-in person (tests/support/schemathesis_hooks.py), and checks every
// answer: no 5xx, a documented status, a documented content type, a body that matches the
// documented schema (an error's code among those the document names). Then the database is
// checked for half-written state (tests/support/fuzz-invariants.ts).
//
// As a creator it fuzzes every operation (a staff operation must answer its documented 403);
// as an admin who passed two-factor authentication, the staff operations, which a creator's
// requests never get past their access check. Each operation gets fresh accounts, renewed
// when an answer says the session is spent (401, 429, a gate on the account), so the fuzz
// keeps reaching the operation's own code; the 429s themselves are documented answers.
// Figures (2 shared cores): see the README's Tests section. FUZZ_MAX_EXAMPLES and FUZZ_SEED
// change the run, e.g. for a longer search by hand.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../support/database.ts';
import { checkInvariants } from '../support/fuzz-invariants.ts';
import { runSchemathesis, startSessionBroker, type FuzzResult, type SessionBroker } from '../support/fuzz.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 10);
const SEED = Number(process.env.FUZZ_SEED ?? 1);
const NOT_STAFF = new Set(['public', 'session', 'signed-in', 'verified']);

let scratch: ScratchDatabase;
let platform: TestPlatform;
let broker: SessionBroker;
let operations: string[];
let staffOperations: string[];
beforeAll(async () => {
  scratch = await createScratchDatabase(inject('stackEnv'));
  platform = await startTestPlatform({ env: { DATABASE_URL: scratch.url } });
  broker = await startSessionBroker(platform);
  const doc: { paths: Record<string, Record<string, { description: string }>> } = await json(
    await platform.fetch('/api/openapi.json'),
  );
  const all = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      name: `${method.toUpperCase()} ${path}`,
      access: op.description.replace(/^Access: /, ''),
    })),
  );
  operations = all.map((op) => op.name);
  staffOperations = all.filter((op) => !NOT_STAFF.has(op.access)).map((op) => op.name);
});
afterAll(async () => {
  await broker?.close();
  await platform?.stop();
  await scratch?.drop();
});

/** The figures, then schemathesis' report when something failed (it names the request). */
function summary(role: string, result: FuzzResult): string {
  const figures = `${role}: ${result.operations} operations, ${result.cases} cases, ${Math.round(result.seconds)} s, ${result.failures} failed, ${result.errors} errored (exit ${result.exitCode})`;
  return result.exitCode === 0 ? figures : `${figures}\n${result.output}`;
}

describe('the API fuzzed from its OpenAPI document', () => {
  it('answers every generated request within its contract, as a creator and as staff, and leaves no half-written row', async () => {
    const creator = await runSchemathesis(platform, {
      role: 'creator',
      broker,
      maxExamples: MAX_EXAMPLES,
      seed: SEED,
    });
    const staff = await runSchemathesis(platform, {
      role: 'staff',
      broker,
      operations: staffOperations,
      maxExamples: MAX_EXAMPLES,
      seed: SEED,
    });
    console.info(`${summary('creator', creator)}\n${summary('staff', staff)}`);
    expect(staffOperations.length).toBeGreaterThan(10);
    const clean = (role: string, count: number) =>
      new RegExp(`^${role}: ${count} operations, .* 0 failed, 0 errored \\(exit 0\\)$`);
    // Soft: the database is checked even when a request failed its contract.
    expect.soft(summary('creator', creator)).toMatch(clean('creator', operations.length));
    expect.soft(summary('staff', staff)).toMatch(clean('staff', staffOperations.length));
    // Each operation started with fresh accounts of its role.
    expect.soft(broker.issued.creator).toBeGreaterThanOrEqual(operations.length);
    expect.soft(broker.issued.staff).toBeGreaterThanOrEqual(staffOperations.length);

    const invariants = await checkInvariants(platform, broker.users);
    console.info(invariants.map((i) => `${i.name}: ${i.checked} rows`).join('\n'));
    expect(invariants.filter((i) => i.broken.length > 0)).toEqual([]);
    // The invariants looked at the rows the fuzz made.
    expect(invariants.find((i) => i.name.startsWith('every balance'))!.checked).toBeGreaterThan(0);
  }, 900_000);
});
