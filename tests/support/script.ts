// Script project tests: create a project, quote and run it the way the site does, wait
// for it the way a client would, and read a video's streams with ffprobe.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { CreateScriptInput, ProjectView } from '../../domain/contracts/script.ts';
import type { TestClient } from './client.ts';
import { json } from './http.ts';

const run = promisify(execFile);
const ffprobePath = (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path;

export async function createProject(client: TestClient, body: CreateScriptInput): Promise<ProjectView> {
  const res = await client.post('/api/scripts', body);
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return json(res);
}

/** A script project's row written straight to the database, for lists of many projects. */
export const projectRow = (user: string, row: { title: string; createdAt: Date; updatedAt: Date }) => ({
  id: randomUUID(),
  user,
  script: 'A fox runs through the snow.',
  scriptFormat: 'text' as const,
  splitMethod: 'local' as const,
  aspectRatio: '16:9',
  resolution: '720p',
  voiceLanguage: 'en',
  ...row,
});

/** Quotes the next run and confirms it; the quote and the project as the run started it. */
export async function quoteAndRun(
  client: TestClient,
  projectId: string,
  key = randomUUID(),
): Promise<{ quote: any; started: ProjectView; key: string }> {
  const quote = await json(await client.post(`/api/scripts/${projectId}/quote`));
  const res = await client.request(
    'POST',
    `/api/scripts/${projectId}/runs`,
    { quoteHash: quote.quoteHash },
    {
      'idempotency-key': key,
    },
  );
  if (res.status !== 201) throw new Error(`run answered ${res.status}: ${await res.text()}`);
  return { quote, started: await json(res), key };
}

/**
 * Polls the project until it is no longer running (or `until` says so). An answer other
 * than 200 (the platform's database not answering) is asked again, as the site does.
 */
export async function waitForProject(
  client: TestClient,
  projectId: string,
  options: { timeoutMs?: number; until?: (p: ProjectView) => boolean } = {},
): Promise<ProjectView> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const until = options.until ?? ((p: ProjectView) => p.status !== 'running');
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await client.get(`/api/scripts/${projectId}`);
    last = await json(res);
    if (res.status === 200 && until(last as ProjectView)) return last as ProjectView;
    await sleep(200);
  }
  throw new Error(`project ${projectId} did not get there in time; last seen ${JSON.stringify(last)}`);
}

/** A short project of two scenes, quick to render. */
export const TWO_SCENES = [
  'A lighthouse keeper climbs the spiral stairs as the evening storm rolls in.',
  'At the top he lights the lamp and watches its beam sweep across the waves.',
].join('\n\n');

/** The steps of a run after its scenes: the voice track, then the composition. */
export const MEDIA_STEPS = ['makeVoiceTrack', 'composeRevision'] as const;

/**
 * A project of `script` run until its scenes are made: from there, its steps read and
 * write the platform's own storage (the voice track, then the composition).
 */
export async function runToMediaSteps(client: TestClient, title: string, script = TWO_SCENES) {
  const project = await createProject(client, { title, script, resolution: '540p' });
  await quoteAndRun(client, project.id);
  await waitForProject(client, project.id, {
    until: (p) => p.phase === 'voicing' || p.phase === 'composing',
    timeoutMs: 180_000,
  });
  return project;
}

export interface Probed {
  duration: number;
  streams: { codec_type: string; codec_name: string; duration?: string }[];
}

/** ffprobe's view of a video: its length and its streams. */
export async function probe(url: string): Promise<Probed> {
  const { stdout } = await run(ffprobePath, [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    url,
  ]);
  const info = JSON.parse(stdout) as { format: { duration: string }; streams: Probed['streams'] };
  return { duration: Number(info.format.duration), streams: info.streams };
}

/** A download link's bytes. */
export async function download(client: TestClient, assetId: string): Promise<{ url: string; bytes: Buffer }> {
  const link = await json(await client.get(`/api/assets/${assetId}/download`));
  const res = await fetch(link.url);
  return { url: link.url, bytes: Buffer.from(await res.arrayBuffer()) };
}
