// Script projects through the whole platform (real Temporal, PostgreSQL, S3, ffmpeg,
// espeak-ng): a script with a voice recording made into one video as long as its scenes,
// with the voice and subtitles; an edit that re-renders one scene and makes revision 2;
// a failed scene refunded alone and retried alone; a cancellation that refunds what was
// not made and deletes at once what was; the language-model splitter against a
// simulator of its API; uploaded scripts judged by their bytes; the data export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { EXPORT_CATEGORIES } from '../../activities/rights-request/categories.ts';
import { categoryRows } from '../../activities/rights-request/export-format.ts';
import { Asset, DeletionProof, GenerationJob, ScriptRevision } from '../../db/entities/index.ts';
import { findModel, quoteCredits } from '../../domain/models.ts';
import { creditBalance, jobCredits } from '../../stores/billing.ts';
import { signedIn } from '../support/accounts.ts';
import { media, uploadBytes } from '../support/assets.ts';
import { startGenerationHarness, type GenerationHarness } from '../support/generation.ts';
import { json } from '../support/http.ts';
import { createProject, download, probe, quoteAndRun, waitForProject } from '../support/script.ts';
import { startChatSimulator, type ChatSimulator } from '../support/simulator/chat-completions.ts';
import { PROMPT_MARKERS } from '../support/simulator/index.ts';
import { scaledDurations } from '../support/durations.ts';

const LLM_KEY = 'sim-llm-key-do-not-log';
let h: GenerationHarness;
let chat: ChatSimulator;
beforeAll(async () => {
  chat = await startChatSimulator(LLM_KEY);
  h = await startGenerationHarness({
    DURATION_OVERRIDES: scaledDurations(0.01),
    LLM_API_KEY: LLM_KEY,
    LLM_BASE_URL: chat.url,
  });
});
afterAll(async () => {
  await h?.stop();
  await chat?.stop();
});
const em = () => h.platform.clients.orm.em.fork();
const local = findModel('local-v1')!;
const price = (seconds: number, resolution = '540p') =>
  quoteCredits(local, { durationSeconds: seconds, resolution });

const FOUR_SCENES = [
  'A lighthouse keeper wakes before dawn.',
  'She climbs the stairs with a lamp.',
  'The sea below is calm and silver.',
  'A ship far away answers her light.',
].join('\n\n');

const jobsOf = (projectId: string) =>
  em().find(GenerationJob, { scriptProjectId: projectId }, { orderBy: { createdAt: 'asc' } });
/** A category of the data export, as the export reads it for one person. */
async function categoryRowsOf(manager: EntityManager, name: string, userId: string) {
  const category = EXPORT_CATEGORIES.find((c) => c.name === name)!;
  const rows: Record<string, unknown>[] = [];
  for await (const row of categoryRows(manager, category, userId)) rows.push(row);
  return rows;
}

/** Renders the local renderer made: one temporary file per render. */
const rendersOf = async (projectId: string) =>
  em().count(Asset, { kind: 'temp', jobId: { $in: (await jobsOf(projectId)).map((j) => j.id) } });

describe('a script project through the local renderer', () => {
  it('[R-INTERMEDIATE] [R-IN-30D] makes one video as long as its 4 scenes, with the uploaded voice and subtitles, each step kept with it', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 100 });
    const uploaded = await uploadBytes(h.platform, client, await media('m4a'), { filename: 'voice.m4a' });
    expect(uploaded.status).toBe(201);
    const voice = await json(uploaded);
    expect(voice.contentType).toBe('audio/mp4');

    const project = await createProject(client, {
      title: 'The lighthouse',
      script: FOUR_SCENES,
      resolution: '540p',
      voiceAssetId: voice.id,
      burnSubtitles: true,
    });
    expect(project.scenes.map((s) => s.durationSeconds)).toEqual([3, 3, 3, 3]);
    const { quote } = await quoteAndRun(client, project.id);
    expect(quote.credits).toBe(4 * price(3));
    expect(quote.scenes.map((s: { next: string }) => s.next)).toEqual(['new', 'new', 'new', 'new']);

    const done = await waitForProject(client, project.id);
    expect(done).toMatchObject({ status: 'ready', latestRevision: 1, phase: null });
    expect(done.scenes.every((s) => s.job?.status === 'succeeded' && s.next === 'kept')).toBe(true);

    // One video, as long as the scenes together, with the voice and a subtitle track.
    const video = await download(client, done.video!.assetId);
    const info = await probe(video.url);
    expect(Math.abs(info.duration - 12)).toBeLessThan(0.2);
    expect(info.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'subtitle', 'video']);
    expect(info.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
    // The WebVTT file beside it: one cue per scene, in order.
    const vtt = (await download(client, done.video!.subtitlesAssetId!)).bytes.toString('utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt).toContain('00:00:03.000 --> 00:00:06.000\nShe climbs the stairs with a lamp.');

    // Charged exactly the quote, scene by scene.
    expect(await creditBalance(em(), user.id)).toBe(100 - quote.credits);
    for (const job of await jobsOf(project.id)) {
      expect(await jobCredits(em(), job.id)).toEqual({ reserved: price(3), captured: price(3), released: 0 });
    }

    // The final video is an output (7 days); its clips, voice track and subtitles are
    // intermediates kept exactly as long, each with its own retention workflow.
    const [revision] = (await json(await client.get(`/api/scripts/${project.id}/revisions`))).revisions;
    expect(revision).toMatchObject({
      number: 1,
      status: 'composed',
      voice: 'recording',
      durationSeconds: 12,
    });
    const final = await em().findOneOrFail(Asset, { id: done.video!.assetId });
    expect(final.kind).toBe('output');
    const intermediateIds = [
      ...revision.scenes.map((s: { clipAssetId: string }) => s.clipAssetId),
      revision.voiceTrack.assetId,
      revision.subtitles.assetId,
    ];
    const intermediates = await em().find(Asset, { id: { $in: intermediateIds } });
    expect(intermediates).toHaveLength(6);
    for (const asset of intermediates) {
      expect(asset).toMatchObject({ kind: 'intermediate', status: 'stored' });
      expect(asset.deleteAt!.getTime()).toBe(final.deleteAt!.getTime());
      const retention = h.platform.clients.temporal.client.workflow.getHandle(`retention-${asset.id}`);
      expect((await retention.describe()).status.name).toBe('RUNNING');
    }
    // The recording itself stays an upload, on its own 30-day timer.
    const recording = await em().findOneOrFail(Asset, { id: voice.id });
    expect(recording.kind).toBe('input');
    expect(recording.deleteAt!.getTime() - recording.storedAt!.getTime()).toBe(
      h.platform.config.durations.retentionMs('input'),
    );
  });

  it('[R-INTERMEDIATE] editing scene 2 re-renders scene 2 only, charges it alone and composes revision 2', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 100 });
    const project = await createProject(client, { title: 'Edits', script: FOUR_SCENES, resolution: '540p' });
    await quoteAndRun(client, project.id);
    const first = await waitForProject(client, project.id);
    expect(first.status).toBe('ready');
    expect(await rendersOf(project.id)).toBe(4);
    const balance = await creditBalance(em(), user.id);

    const scene2 = first.scenes[1]!;
    const edited = await json(
      await client.patch(`/api/scripts/${project.id}/scenes/${scene2.id}`, {
        text: 'She climbs the stairs, counting every step aloud.',
      }),
    );
    expect(edited.scenes.map((s: { next: string }) => s.next)).toEqual(['kept', 'edited', 'kept', 'kept']);
    const { quote } = await quoteAndRun(client, project.id);
    expect(quote.credits).toBe(price(edited.scenes[1].durationSeconds));
    const second = await waitForProject(client, project.id);
    expect(second).toMatchObject({ status: 'ready', latestRevision: 2 });

    // One more job and one more render: scene 2's, nothing else.
    const jobs = await jobsOf(project.id);
    expect(jobs).toHaveLength(5);
    expect(jobs.at(-1)!.prompt).toBe('She climbs the stairs, counting every step aloud.');
    expect(await rendersOf(project.id)).toBe(5);
    expect(await creditBalance(em(), user.id)).toBe(balance - quote.credits);

    const { revisions } = await json(await client.get(`/api/scripts/${project.id}/revisions`));
    expect(revisions.map((r: { number: number }) => r.number)).toEqual([2, 1]);
    const [rev2, rev1] = revisions;
    expect(rev2.scenes.map((s: { rendered: boolean }) => s.rendered)).toEqual([false, true, false, false]);
    for (const i of [0, 2, 3]) expect(rev2.scenes[i].clipAssetId).toBe(rev1.scenes[i].clipAssetId);
    expect(rev2.scenes[1].clipAssetId).not.toBe(rev1.scenes[1].clipAssetId);
    const comparison = await json(await client.get(`/api/scripts/${project.id}/compare?from=1&to=2`));
    expect(comparison.scenes.map((s: { change: string }) => s.change)).toEqual([
      'same',
      'edited',
      'same',
      'same',
    ]);
    expect(comparison.scenes[1]).toMatchObject({ fields: ['text'], clipChanged: true });

    // Both videos stay, each on its own timer; the kept clips now follow the newer one.
    expect(rev1.video.status).toBe('stored');
    const info = await probe((await download(client, rev2.video.assetId)).url);
    expect(info.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'subtitle', 'video']);
    expect(Math.abs(info.duration - second.totalSeconds)).toBeLessThan(0.2);
    const kept = await em().find(Asset, { id: { $in: [0, 2, 3].map((i) => rev2.scenes[i].clipAssetId) } });
    for (const clip of kept) expect(clip.deleteAt!.toISOString()).toBe(rev2.video.deleteAt);
    const replaced = await em().findOneOrFail(Asset, { id: rev1.scenes[1].clipAssetId });
    expect(replaced.deleteAt!.toISOString()).toBe(rev1.video.deleteAt);
  });

  it('a failed scene is refunded alone, the others charged and kept; the retry renders only it', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 200 });
    const project = await createProject(client, {
      title: 'One fails',
      script: FOUR_SCENES,
      resolution: '540p',
    });
    const scenes = project.scenes
      .slice(0, 3)
      .map((s) => ({ id: s.id, text: s.text, durationSeconds: s.durationSeconds, modelId: s.model.id }));
    // Scene 2 through a provider (the simulator), whose safety check refuses the video it made.
    scenes[1] = {
      ...scenes[1]!,
      modelId: 'luma-ray-flash-2',
      durationSeconds: 5,
      text: `A storm ${PROMPT_MARKERS.moderateOutput}`,
    };
    expect((await client.put(`/api/scripts/${project.id}/scenes`, { scenes })).status).toBe(200);
    const before = h.simulator.submissions('luma');
    const { quote } = await quoteAndRun(client, project.id);
    const luma = quoteCredits(findModel('luma-ray-flash-2')!, { durationSeconds: 5, resolution: '540p' });
    expect(quote.credits).toBe(2 * price(3) + luma);

    const ended = await waitForProject(client, project.id);
    expect(ended.status).toBe('incomplete');
    expect(ended.video).toBeNull();
    expect(ended.scenes.map((s) => s.job?.status)).toEqual(['succeeded', 'rejected', 'succeeded']);
    expect(h.simulator.submissions('luma') - before).toBe(1);
    const jobs = await jobsOf(project.id);
    const failed = jobs.find((j) => j.model === 'luma-ray-flash-2')!;
    expect(await jobCredits(em(), failed.id)).toEqual({ reserved: luma, captured: 0, released: luma });
    expect(await creditBalance(em(), user.id)).toBe(200 - 2 * price(3));
    // The scenes made are kept for the retry.
    for (const s of [ended.scenes[0]!, ended.scenes[2]!]) {
      expect((await em().findOneOrFail(Asset, { id: s.clipAssetId! })).status).toBe('stored');
    }

    await client.patch(`/api/scripts/${project.id}/scenes/${ended.scenes[1]!.id}`, {
      text: 'A storm at sea',
    });
    const retry = await quoteAndRun(client, project.id);
    expect(retry.quote.scenes.map((s: { next: string }) => s.next)).toEqual(['kept', 'edited', 'kept']);
    expect(retry.quote.credits).toBe(luma);
    const ready = await waitForProject(client, project.id);
    expect(ready).toMatchObject({ status: 'ready', latestRevision: 2 });
    expect(h.simulator.submissions('luma') - before).toBe(2);
    expect(await jobsOf(project.id)).toHaveLength(4);
  });

  it('[R-INTERMEDIATE] a cancelled run refunds what was not made and deletes at once what it made', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 500 });
    const long = Array.from(
      { length: 6 },
      (_, i) => `Scene ${i + 1} is a long and slow shot of the harbour at night.`,
    );
    const project = await createProject(client, {
      title: 'Cancelled',
      script: long.join('\n\n'),
      resolution: '1080p',
    });
    await quoteAndRun(client, project.id);
    await waitForProject(client, project.id, {
      until: (p) => p.scenes.some((s) => s.job?.status === 'running'),
    });

    const res = await client.post(`/api/scripts/${project.id}/cancel`);
    expect(res.status).toBe(200);
    const cancelled = await json(res);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.video).toBeNull();

    const jobs = await jobsOf(project.id);
    expect(jobs.every((j) => ['succeeded', 'cancelled'].includes(j.status))).toBe(true);
    expect(jobs.filter((j) => j.status === 'cancelled').length).toBeGreaterThan(0);
    let charged = 0;
    for (const job of jobs) {
      const credits = await jobCredits(em(), job.id);
      expect(credits.reserved).toBe(credits.captured + credits.released);
      if (job.status === 'cancelled') expect(credits.captured).toBe(0);
      charged += credits.captured;
    }
    expect(await creditBalance(em(), user.id)).toBe(500 - charged);
    // Nothing it made is kept: every clip deleted with proof, no file left stored.
    const clips = jobs.map((j) => j.outputAssetId).filter((id): id is string => Boolean(id));
    for (const id of clips) {
      expect((await em().findOneOrFail(Asset, { id })).status).toBe('deleted');
      expect(await em().count(DeletionProof, { assetId: id, reason: 'job_finished' })).toBe(1);
    }
    expect(await em().count(Asset, { user: user.id, status: { $ne: 'deleted' } })).toBe(0);
    const revision = await em().findOneOrFail(ScriptRevision, { project: project.id });
    expect(revision.status).toBe('cancelled');
  });
});

describe('splitting and uploading scripts', () => {
  it('splits with the language model through its chat-completions API, with a strict JSON schema', async () => {
    const { client } = await signedIn(h.platform, { credits: 10 });
    const project = await createProject(client, {
      title: 'Split by a model',
      script: 'The train leaves at dawn. Fog covers the valley. A bell rings twice.',
    });
    expect(project.splitMethods).toEqual(['local', 'llm']);
    // The built-in splitter keeps short sentences of one paragraph together.
    expect(project.scenes).toHaveLength(1);
    const split = await json(await client.post(`/api/scripts/${project.id}/split`, { method: 'llm' }));
    expect(split.splitMethod).toBe('llm');
    expect(split.scenes.map((s: { text: string }) => s.text)).toEqual([
      'The train leaves at dawn.',
      'Fog covers the valley.',
      'A bell rings twice.',
    ]);
    expect(
      split.scenes.every((s: { durationSeconds: number }) => local.durations.includes(s.durationSeconds)),
    ).toBe(true);
    const sent = chat.requests.at(-1)!;
    expect(sent).toMatchObject({
      model: 'gpt-4o-mini',
      response_format: { type: 'json_schema', json_schema: { strict: true } },
    });

    chat.setMode('refuse');
    const refused = await client.post(`/api/scripts/${project.id}/split`, { method: 'llm' });
    expect([refused.status, (await json(refused)).error.code]).toEqual([422, 'split_failed']);
    chat.setMode({ status: 500 });
    expect((await client.post(`/api/scripts/${project.id}/split`, { method: 'llm' })).status).toBe(502);
    chat.setMode('split');
    // A failed split changed nothing.
    expect((await json(await client.get(`/api/scripts/${project.id}`))).scenes).toHaveLength(3);
  });

  it('reads an uploaded .srt or .txt script from its bytes, and refuses anything else', async () => {
    const { client } = await signedIn(h.platform, { credits: 10 });
    const send = (bytes: Uint8Array, filename: string) => {
      const form = new FormData();
      form.append('file', new Blob([bytes]), filename);
      const headers: Record<string, string> = {
        'x-forwarded-for': client.ip,
        'x-csrf-token': client.csrfToken!,
      };
      headers.cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      return fetch(`${h.platform.api.url}/api/scripts/files`, { method: 'POST', headers, body: form });
    };
    const srt =
      '1\n00:00:00,000 --> 00:00:04,000\nHello <i>there</i>.\n\n2\n00:00:04,000 --> 00:00:09,500\nGoodbye.\n';
    const read = await send(Buffer.from(`\ufeff${srt}`), 'script.txt');
    expect(read.status).toBe(200);
    expect(await json(read)).toMatchObject({ format: 'srt', scenes: 2 });
    const project = await createProject(client, { title: 'Subtitled', script: srt, format: 'srt' });
    expect(project.scenes.map((s) => [s.text, s.durationSeconds])).toEqual([
      ['Hello there.', 4],
      ['Goodbye.', 6],
    ]);
    const png = await send(await media('png'), 'script.srt');
    expect([png.status, (await json(png)).error.code]).toEqual([415, 'unsupported_script_file']);
    expect((await send(Buffer.from('a\u0000b'), 'script.txt')).status).toBe(415);
    expect((await send(Buffer.from([0xff, 0xfe, 0x41]), 'script.txt')).status).toBe(415);

    // Found by the API fuzz test: multipart without its boundary made the reader throw (500).
    const unbounded = await fetch(`${h.platform.api.url}/api/scripts/files`, {
      method: 'POST',
      headers: {
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': client.csrfToken!,
        'x-forwarded-for': client.ip,
        'content-type': 'multipart/form-data',
      },
      body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc\r\n--x--\r\n',
    });
    expect(unbounded.status).toBe(400);
    expect((await json(unbounded)).error.fields).toEqual([
      expect.objectContaining({ field: 'Content-Type' }),
    ]);
  });
});

describe('the data export', () => {
  it('[D-ACCESS] carries the script projects, their scenes and revisions, and their intermediate files', async () => {
    const { user, client } = await signedIn(h.platform, { credits: 20 });
    const project = await createProject(client, {
      title: 'Exported',
      script: 'One short scene.',
      resolution: '540p',
    });
    await quoteAndRun(client, project.id);
    await waitForProject(client, project.id);
    const names = EXPORT_CATEGORIES.map((c) => c.name);
    expect(names.slice(-3)).toEqual(['script-projects', 'script-scenes', 'script-revisions']);
    const [projects, scenes, revisions, files] = await Promise.all(
      ['script-projects', 'script-scenes', 'script-revisions', 'files'].map((n) =>
        categoryRowsOf(em(), n, user.id),
      ),
    );
    expect(projects).toEqual([expect.objectContaining({ id: project.id, script: 'One short scene.' })]);
    expect(scenes).toEqual([expect.objectContaining({ projectId: project.id, text: 'One short scene.' })]);
    expect(revisions).toEqual([
      expect.objectContaining({
        number: 1,
        status: 'composed',
        scenes: [expect.objectContaining({ position: 1 })],
      }),
    ]);
    expect(files!.filter((f) => f.kind === 'intermediate')).toHaveLength(3);
    // Someone else's projects are not in it.
    const other = await signedIn(h.platform, { credits: 0 });
    expect(await categoryRowsOf(em(), 'script-projects', other.user.id)).toEqual([]);
  });
});
