// A 6-scene script project through the local renderer, end to end on a stack of its own:
// the run confirmed through the API, the scenes rendered as child jobs (3 at a time),
// the speech made with espeak-ng, the composition with burned-in subtitles, the files
// stored in S3. Prints the wall time from confirmation to the finished video beside the
// video's length (the sum of the scenes), each phase's time, and the peak memory of this
// process (API, workers, activities) with its ffmpeg and espeak-ng children. Beside it, in the same run: the same
// scenes rendered and composed by ffmpeg directly, one after the other, with no platform
// (no Temporal, no S3, no database), and the ratio; and, since wall times on shared
// cores depend on everyone else, the CPU seconds ffmpeg and espeak-ng used in each, and
// the load average. Figures only: never pass/fail.
//
//   npm run bench:script            (BENCH_RESOLUTION=720p by default)
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { compositionArgs } from '../activities/script/composition.ts';
import { runFfmpeg } from '../activities/script/media.ts';
import { findModel } from '../domain/models.ts';
import { webVtt } from '../domain/script-text.ts';
import { DEFAULT_FPS, renderLocalVideo, resolutionSize } from '../providers/local.ts';
import { createAccount, signIn } from '../tests/support/accounts.ts';
import { startPlatform } from '../tests/support/platform.ts';
import { createProject, quoteAndRun } from '../tests/support/script.ts';
import { startTestStack } from '../tests/support/stack.ts';
import { Started } from './support/started.ts';

const RESOLUTION = process.env.BENCH_RESOLUTION ?? '720p';
const SCRIPT = [
  'Morning light spills over the quiet harbour.',
  'Fishing boats rock gently against the old stone pier.',
  'A gull lands on a post and watches the water.',
  'The first ferry of the day sounds its horn.',
  'Passengers with coffee cups hurry up the ramp.',
  'The town slowly wakes behind them.',
].join('\n\n');
const MiB = 1024 * 1024;
const log = (message: string) => process.stderr.write(`[bench:script] ${message}\n`);

/** The programs a run starts; the stack's own servers (also our children here) are not counted. */
const MEDIA_PROGRAMS = /^(ffmpeg|espeak-ng)$/;

/**
 * Resident memory of this process (API, workers, activities) and of the ffmpeg and
 * espeak-ng processes below it, in bytes (from /proc).
 */
async function workRss(): Promise<number> {
  let total = process.memoryUsage().rss;
  const below = new Set([process.pid]);
  const procs: { pid: number; parent: number; comm: string; rss: number }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: Number(entry), parent: Number(fields[1]), comm, rss: Number(fields[21]) * 4096 });
    } catch {
      // The process ended meanwhile.
    }
  }
  // Parents are listed before their children by pid order only mostly: iterate to a fixpoint.
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (!below.has(p.pid) && below.has(p.parent)) {
        below.add(p.pid);
        grew = true;
      }
    }
  }
  for (const p of procs)
    if (p.pid !== process.pid && below.has(p.pid) && MEDIA_PROGRAMS.test(p.comm)) total += p.rss;
  return total;
}

/** CPU seconds used by this process's finished children (ffmpeg, espeak-ng): cutime + cstime. */
async function childCpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Events of a finished workflow's history that Temporal counts as actions (heartbeats aside). */
const ACTION_EVENTS = [
  'workflowExecutionStartedEventAttributes',
  'workflowExecutionSignaledEventAttributes',
  'markerRecordedEventAttributes',
  'startChildWorkflowExecutionInitiatedEventAttributes',
  'activityTaskScheduledEventAttributes',
  'timerStartedEventAttributes',
  'upsertWorkflowSearchAttributesEventAttributes',
  'workflowExecutionUpdateAcceptedEventAttributes',
] as const;

async function historyActions(temporal: Client, workflowId: string): Promise<number> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => ACTION_EVENTS.some((k) => e[k])).length;
}

const running = new Started();
const stack = running.add(await startTestStack(), (s) => s.stop());
let peak = 0;
const sampler = setInterval(() => {
  void workRss().then((bytes) => (peak = Math.max(peak, bytes)));
}, 100);
try {
  const platform = running.add(await startPlatform(stack.env, { env: { LOG_LEVEL: 'silent' } }), (p) =>
    p.stop(),
  );
  const client = await signIn(platform, await createAccount(platform, { credits: 1000 }));
  const project = await createProject(client, {
    title: 'Benchmark',
    script: SCRIPT,
    resolution: RESOLUTION,
    burnSubtitles: true,
  });
  const sumOfScenes = project.scenes.reduce((sum, s) => sum + s.durationSeconds, 0);
  const cpuBefore = await childCpuSeconds();
  const started = performance.now();
  const phases = new Map<string, number>();
  await quoteAndRun(client, project.id);
  for (;;) {
    const view = (await (await client.get(`/api/scripts/${project.id}`)).json()) as {
      status: string;
      phase: string | null;
    };
    if (view.phase && !phases.has(view.phase)) phases.set(view.phase, performance.now());
    if (view.status !== 'running') {
      if (view.status !== 'ready') throw new Error(`the project ended ${view.status}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ended = performance.now();
  const wallS = (ended - started) / 1000;
  const at = (phase: string, fallback: number) => phases.get(phase) ?? fallback;
  const renderS = (at('voicing', ended) - started) / 1000;
  const voiceS = (at('composing', ended) - at('voicing', ended)) / 1000;
  const composeS = (ended - at('composing', ended)) / 1000;
  const platformPeak = peak;
  const mediaCpuS = (await childCpuSeconds()) - cpuBefore;
  const projectActions = await historyActions(platform.clients.temporal.client, `script-${project.id}`);
  const done = (await (await client.get(`/api/scripts/${project.id}`)).json()) as {
    scenes: { job: { id: string } }[];
  };
  const sceneActions = await historyActions(
    platform.clients.temporal.client,
    `generation-${done.scenes[0]!.job.id}`,
  );

  // The baseline: the same renders and composition by ffmpeg alone, one after the other.
  log('baseline: the same scenes rendered and composed directly');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-bench-script-'));
  const baselineCpuBefore = await childCpuSeconds();
  const baselineStarted = performance.now();
  try {
    const { width, height } = resolutionSize(RESOLUTION, '16:9');
    const clips: { file: string; seconds: number }[] = [];
    for (const [i, scene] of project.scenes.entries()) {
      const file = path.join(dir, `clip-${i}.mp4`);
      await renderLocalVideo({
        prompt: scene.text,
        seed: i,
        durationSeconds: scene.durationSeconds,
        width,
        height,
        outputPath: file,
      });
      clips.push({ file, seconds: scene.durationSeconds });
    }
    const voiceFile = path.join(dir, 'voice.m4a');
    await runFfmpeg(
      ['-f', 'lavfi', '-i', `anullsrc=r=22050:cl=mono`, '-t', String(sumOfScenes), '-c:a', 'aac', voiceFile],
      {
        totalSeconds: sumOfScenes,
      },
    );
    const subtitlesFile = path.join(dir, 'subtitles.vtt');
    await writeFile(subtitlesFile, webVtt(project.scenes));
    await runFfmpeg(
      compositionArgs({
        clips,
        voiceFile,
        subtitlesFile,
        burnSubtitles: true,
        width,
        height,
        fps: DEFAULT_FPS,
        output: path.join(dir, 'final.mp4'),
      }),
      { totalSeconds: sumOfScenes },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const baselineS = (performance.now() - baselineStarted) / 1000;
  const baselineCpuS = (await childCpuSeconds()) - baselineCpuBefore;

  const result = {
    bench: 'script',
    scenes: project.scenes.length,
    wallS: +wallS.toFixed(1),
    sumOfScenesS: sumOfScenes,
    peakRssMiB: Math.round(platformPeak / MiB),
    resolution: RESOLUTION,
    renderS: +renderS.toFixed(1),
    voiceS: +voiceS.toFixed(1),
    composeS: +composeS.toFixed(1),
    baselineS: +baselineS.toFixed(1),
    ratio: +(wallS / baselineS).toFixed(2),
    mediaCpuS: +mediaCpuS.toFixed(1),
    baselineCpuS: +baselineCpuS.toFixed(1),
    loadAverage: +os.loadavg()[0]!.toFixed(1),
    projectWorkflowActions: projectActions,
    sceneJobActions: sceneActions,
  };
  console.log(JSON.stringify(result));
  console.table({
    'platform (API, Temporal, S3, 3 scenes at once)': { seconds: result.wallS },
    '  scenes rendered': { seconds: result.renderS },
    '  voice (espeak-ng)': { seconds: result.voiceS },
    '  composition': { seconds: result.composeS },
    'ffmpeg alone, one scene after another': { seconds: result.baselineS },
    'CPU of ffmpeg and espeak-ng, platform run': { seconds: result.mediaCpuS },
    'CPU of ffmpeg, alone': { seconds: result.baselineCpuS },
    'video length': { seconds: sumOfScenes },
  });
  log(`model ${findModel('local-v1')!.label}, ${result.scenes} scenes, peak ${result.peakRssMiB} MiB`);
} finally {
  clearInterval(sampler);
  await running.stopAll();
}
