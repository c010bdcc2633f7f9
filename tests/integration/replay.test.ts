// `npm run replay`: a finished workflow's history, exported the way the README tells an
// operator to (`temporal workflow show --output json`), replays against the worker's
// bundle; the same history with a step the code does not take is refused as
// nondeterministic, with exit code 1.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { locateTool } from '../../scripts/stack/tools.ts';
import { runScript } from '../support/cli.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let dir: string;
beforeAll(async () => {
  platform = await startTestPlatform();
  dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-replay-'));
});
afterAll(async () => {
  await platform?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const HISTORIES = fileURLToPath(new URL('../fixtures/histories', import.meta.url));
const replay = (...files: string[]) => runScript('scripts/replay.ts', files, inject('stackEnv'));

describe('replaying a workflow history', () => {
  it('replays an exported history with the worker bundle, and refuses one the code does not reproduce', async () => {
    const checkId = randomUUID();
    const workflowId = `diagnostic-${checkId}`;
    await platform.clients.temporal.client.workflow.execute('diagnosticWorkflow', {
      taskQueue: TASK_QUEUES.system,
      workflowId,
      args: [{ checkId }],
    });

    const { stdout } = await promisify(execFile)(
      locateTool('temporal'),
      [
        'workflow',
        'show',
        '--workflow-id',
        workflowId,
        '--namespace',
        platform.namespace,
        '--address',
        platform.config.temporal.address,
        '--output',
        'json',
      ],
      { maxBuffer: 32 * 1024 * 1024 },
    );
    const file = path.join(dir, `${workflowId}.json`);
    await writeFile(file, stdout);
    expect(stdout).toContain('recordDiagnosticStart');

    const good = await replay(file);
    expect(good.stdout).toMatch(/^ok {4}.*diagnostic-[\w-]+\.json: diagnosticWorkflow, \d+ events replayed/m);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);

    // The history says the workflow's first step was another activity: the code disagrees.
    const changed = path.join(dir, 'changed.json');
    await writeFile(
      changed,
      (await readFile(file, 'utf8')).replaceAll('recordDiagnosticStart', 'recordOtherStart'),
    );
    const bad = await replay(file, changed);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^ok {4}.*diagnostic-/m);
    expect(bad.stdout).toMatch(/^FAIL {2}.*changed\.json: DeterminismViolationError: /m);

    const usage = await replay();
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/Usage: npm run replay/);
  });

  // Histories recorded by the workflow code of an earlier version, as workers still
  // running it leave them: the code now must reproduce each (README, Replay a workflow
  // history). Each file names the change it guards.
  it('replays the histories of earlier code kept in tests/fixtures/histories', async () => {
    const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    const run = await replay(...files.map((f) => path.join(HISTORIES, f)));
    expect(run.stdout.match(/^ok {4}/gm)).toHaveLength(files.length);
    expect(run.code).toBe(0);
  });
});
