// The image classifier (S-MOD) as the platform runs it: the time to start its process and
// load nsfwjs's MobileNetV2 as an ONNX graph on ONNX Runtime (platform/classifier-model.ts),
// and the latency per image, through the whole path (FFmpeg's libraries decode a 640x480
// JPEG to the classifier's square, the model scores it), for the scoring alone, and per frame
// when a video's frames are scored in one call; beside it, in the same run, the same
// model on TensorFlow.js's WebAssembly backend (what the platform ran before, and the
// reference its scores are held to in tests/unit/classifier-model.test.ts). Then what an
// output costs to score as the platform scores every generated video (S-MOD), a 1-second
// video from the provider simulator: the latency, and the CPU of the classifier's process
// and of any process it started and waited for (none: it decodes in itself).
// Prints one JSON line and a table; it never passes or fails on time.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { CLASSIFIER_INPUT_SIZE } from '../domain/moderation.ts';
import { imageFrame } from '../platform/frames.ts';
import { defaultFfmpegPath } from '../providers/local.ts';
import { createImageClassifier, type ImageClassifier } from '../platform/image-classifier.ts';
import { sampleVideo } from '../tests/support/simulator/video.ts';
import { cpuSecondsSplitOf } from './support/figures.ts';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 30);
const BASELINE_IMAGES = Number(process.env.BENCH_BASELINE_IMAGES ?? 10);
/** Frames of a 5-second video, scored in one call as the output activity does. */
const VIDEO_FRAMES = 5;
/** Outputs scored for the CPU figure, after as many unmeasured. */
const OUTPUTS = Number(process.env.BENCH_OUTPUTS ?? 100);
const run = promisify(execFile);

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  return {
    p50: +at(50).toFixed(1),
    p95: +at(95).toFixed(1),
    mean: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(1),
  };
};

const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-bench-moderation-'));
try {
  // Different pictures, so nothing is cached: ffmpeg's test pattern at different times.
  const files: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const file = path.join(dir, `image-${i}.jpg`);
    await run(defaultFfmpegPath(), [
      '-y',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=640x480:rate=1`,
      '-ss',
      String(i),
      '-frames:v',
      '1',
      file,
    ]);
    files.push(file);
  }
  const classifier = createImageClassifier();
  const started = performance.now();
  const ready = await classifier.ready();
  const loadMs = performance.now() - started;

  const whole: number[] = [];
  for (const file of files) {
    const t = performance.now();
    await classifier.scoreImageFile(file);
    whole.push(performance.now() - t);
  }
  const frames = files.map((f) => imageFrame(f));
  const scoring: number[] = [];
  for (const frame of frames) {
    const t = performance.now();
    await classifier.scoreFrames([frame]);
    scoring.push(performance.now() - t);
  }
  const batched: number[] = [];
  for (let i = 0; i + VIDEO_FRAMES <= frames.length; i += VIDEO_FRAMES) {
    const t = performance.now();
    await classifier.scoreFrames(frames.slice(i, i + VIDEO_FRAMES));
    batched.push((performance.now() - t) / VIDEO_FRAMES);
  }
  const { latency: perOutput, cpu: perOutputCpuMs } = await outputScoring(classifier, ready, dir);
  await classifier.close();

  // Baseline: TensorFlow.js's WebAssembly backend, same model, same frames, in this thread.
  const require = createRequire(import.meta.url);
  setWasmPaths(
    `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
  );
  await tf.setBackend('wasm');
  const { load } = await import('nsfwjs');
  const info = console.info;
  console.info = () => {};
  const baselineStarted = performance.now();
  const model = await load('MobileNetV2');
  const baselineLoadMs = performance.now() - baselineStarted;
  console.info = info;
  const baseline: number[] = [];
  for (const frame of frames.slice(0, BASELINE_IMAGES)) {
    const pixels = tf.tensor3d(frame, [CLASSIFIER_INPUT_SIZE, CLASSIFIER_INPUT_SIZE, 3], 'int32');
    const t = performance.now();
    await model.classify(pixels, 5);
    baseline.push(performance.now() - t);
    pixels.dispose();
  }

  const figures = {
    bench: 'moderation',
    images: IMAGES,
    backend: ready.backend,
    classifierLoadMs: +loadMs.toFixed(0),
    modelLoadMs: +ready.loadMs.toFixed(0),
    perImageMs: summary(whole),
    scoringOnlyMs: summary(scoring),
    perVideoFrameMs: summary(batched),
    baseline: {
      backend: 'tfjs wasm',
      images: baseline.length,
      loadMs: +baselineLoadMs.toFixed(0),
      perImageMs: summary(baseline),
    },
    perOutputMs: summary(perOutput),
    perOutputCpuMs,
    speedupOverBaseline: +(summary(baseline).mean / summary(scoring).mean).toFixed(1),
    cores: os.availableParallelism(),
    loadAverage: +os.loadavg()[0]!.toFixed(2),
  };
  console.log(JSON.stringify(figures));
  console.table({
    'thread + model load (ms)': { onnx: figures.classifierLoadMs, 'tfjs wasm': figures.baseline.loadMs },
    'per image, decode + score, p50 (ms)': { onnx: figures.perImageMs.p50, 'tfjs wasm': '' },
    'per image, score only, p50 (ms)': {
      onnx: figures.scoringOnlyMs.p50,
      'tfjs wasm': figures.baseline.perImageMs.p50,
    },
    'per image, score only, p95 (ms)': {
      onnx: figures.scoringOnlyMs.p95,
      'tfjs wasm': figures.baseline.perImageMs.p95,
    },
    [`per frame, ${VIDEO_FRAMES} in one call, p50 (ms)`]: {
      onnx: figures.perVideoFrameMs.p50,
      'tfjs wasm': '',
    },
    'per output scored, p50 (ms)': { onnx: figures.perOutputMs.p50, 'tfjs wasm': '' },
    'CPU per output scored: classifier / its children (ms)': {
      onnx: `${perOutputCpuMs.classifier} / ${perOutputCpuMs.children}`,
      'tfjs wasm': '',
    },
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}

/**
 * What a generated video costs to score, as `storeOutput` scores it: the latency of each
 * call, and the CPU milliseconds a video of the classifier's process and of the processes
 * it started and waited for (its reaped children; stop 39's classifier started a frame
 * decoder, which started an ffmpeg for each file).
 */
async function outputScoring(
  classifier: ImageClassifier,
  ready: { pid: number },
  dir: string,
): Promise<{ latency: number[]; cpu: { classifier: number; children: number } }> {
  const file = path.join(dir, 'output.mp4');
  await writeFile(file, await sampleVideo());
  for (let i = 0; i < OUTPUTS; i++) await classifier.scoreVideoFile(file);
  const before = await cpuSecondsSplitOf(ready.pid);
  const latency: number[] = [];
  for (let i = 0; i < OUTPUTS; i++) {
    const t = performance.now();
    await classifier.scoreVideoFile(file);
    latency.push(performance.now() - t);
  }
  const after = await cpuSecondsSplitOf(ready.pid);
  const perOutput = (seconds: number) => +((seconds * 1000) / OUTPUTS).toFixed(2);
  return {
    latency,
    cpu: {
      classifier: perOutput(after.own - before.own),
      children: perOutput(after.reaped - before.reaped),
    },
  };
}
