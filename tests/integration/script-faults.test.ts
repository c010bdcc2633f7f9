// The worker killed with SIGKILL while a project composes its video: the composition's
// heartbeat stops, Temporal retries it on the restarted worker, and the project still
// ends with ONE final video (its id and object key derive from the revision), as long
// as its scenes, and nothing else left in storage.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Asset } from '../../db/entities/index.ts';
import { signedIn } from '../support/accounts.ts';
import { objectsUnder } from '../support/assets.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createProject, download, probe, quoteAndRun, waitForProject } from '../support/script.ts';
import { createTestNamespace } from '../support/temporal.ts';
import { scaledDurations } from '../support/durations.ts';

let platform: TestPlatform;
let env: Record<string, string>;
let worker: ChildProcess | undefined;

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['worker/main.ts'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (process.env.STACK_LOG) process.stderr.write(`worker | ${chunk.toString()}`);
  });
  return child;
}

beforeAll(async () => {
  const stackEnv = inject('stackEnv');
  const namespace = await createTestNamespace(stackEnv.TEMPORAL_ADDRESS!, 'script-faults');
  env = { ...stackEnv, TEMPORAL_NAMESPACE: namespace, DURATION_OVERRIDES: scaledDurations(0.01) };
  platform = await startTestPlatform({ workers: false, env });
  worker = startWorker();
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  await platform?.stop();
});

describe('a worker killed during composition', () => {
  it('[R-INTERMEDIATE] still ends with one final video, and no other object', async () => {
    const { user, client } = await signedIn(platform, { credits: 200 });
    const lines = [
      'The market opens while the street lamps are still burning orange.',
      'Vendors stack oranges and lemons into small bright careful pyramids.',
      'A cyclist weaves through the crowd ringing a tiny silver bell.',
      'By noon the square is loud, warm and full of colour.',
    ];
    const project = await createProject(client, {
      title: 'Killed',
      script: lines.join('\n\n'),
      resolution: '720p',
    });
    await quoteAndRun(client, project.id);
    await waitForProject(client, project.id, { until: (p) => p.phase === 'composing', timeoutMs: 180_000 });
    if (process.env.STACK_LOG) console.log('composing at', new Date().toISOString());

    worker!.kill('SIGKILL');
    await new Promise((resolve) => worker!.once('exit', resolve));
    const killedWhile = (
      await platform.clients.orm.em
        .fork()
        .execute<{ phase: string }[]>('select phase from script_projects where id = ?', [project.id])
    )[0]!.phase;
    expect(killedWhile).toBe('composing');
    worker = startWorker();

    const done = await waitForProject(client, project.id, { timeoutMs: 180_000 });
    expect(done).toMatchObject({ status: 'ready', latestRevision: 1 });
    const em = platform.clients.orm.em.fork();
    const outputs = await em.find(Asset, { user: user.id, kind: 'output' });
    expect(outputs.map((a) => [a.id, a.status])).toEqual([[done.video!.assetId, 'stored']]);
    // In storage: that one video, and only the files the project keeps with it.
    const stored = await em.find(Asset, { user: user.id, status: 'stored' });
    const { keys, multipart } = await objectsUnder(platform, `users/${user.id}/`);
    expect(keys.sort()).toEqual(stored.map((a) => a.objectKey).sort());
    expect(keys.filter((k) => k.includes('/outputs/'))).toHaveLength(1);
    expect(multipart).toBe(0);
    const info = await probe((await download(client, done.video!.assetId)).url);
    expect(Math.abs(info.duration - done.totalSeconds)).toBeLessThan(0.2);
  }, 420_000);
});
