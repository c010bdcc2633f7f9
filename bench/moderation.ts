// The image classifier (S-MOD) as the platform runs it: the time to start its thread and
// load nsfwjs's MobileNetV2 on TensorFlow.js's wasm backend, and the latency per image,
// through the whole path (ffmpeg decodes a 640x480 JPEG to the classifier's square, the
// thread scores it) and for the scoring alone; beside it, in the same run, the same model
// on the pure-JavaScript `cpu` backend (the baseline the wasm backend is chosen over).
// Prints one JSON line and a table; it never passes or fails on time.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { CLASSIFIER_INPUT_SIZE } from '../domain/moderation.ts';
import { ffmpegBinary, imageFrame } from '../platform/frames.ts';
import { createImageClassifier } from '../platform/image-classifier.ts';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 30);
const BASELINE_IMAGES = Number(process.env.BENCH_BASELINE_IMAGES ?? 3);
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
    await run(ffmpegBinary(), [
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
  const frames = await Promise.all(files.map((f) => imageFrame(ffmpegBinary(), f)));
  const scoring: number[] = [];
  for (const frame of frames) {
    const t = performance.now();
    await classifier.scoreFrames([frame]);
    scoring.push(performance.now() - t);
  }
  await classifier.close();

  // Baseline: the pure-JavaScript backend, same model, same frames, in this thread.
  await tf.setBackend('cpu');
  const { load } = await import('nsfwjs');
  const info = console.info;
  console.info = () => {};
  const cpuStarted = performance.now();
  const model = await load('MobileNetV2');
  const cpuLoadMs = performance.now() - cpuStarted;
  console.info = info;
  const cpu: number[] = [];
  for (const frame of frames.slice(0, BASELINE_IMAGES)) {
    const pixels = tf.tensor3d(frame, [CLASSIFIER_INPUT_SIZE, CLASSIFIER_INPUT_SIZE, 3], 'int32');
    const t = performance.now();
    await model.classify(pixels, 5);
    cpu.push(performance.now() - t);
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
    baseline: { backend: 'cpu', images: cpu.length, loadMs: +cpuLoadMs.toFixed(0), perImageMs: summary(cpu) },
    speedupOverCpu: +(summary(cpu).mean / summary(scoring).mean).toFixed(1),
    cores: os.availableParallelism(),
    loadAverage: +os.loadavg()[0]!.toFixed(2),
  };
  console.log(JSON.stringify(figures));
  console.table({
    'thread + model load (ms)': { wasm: figures.classifierLoadMs, cpu: figures.baseline.loadMs },
    'per image, decode + score, p50 (ms)': { wasm: figures.perImageMs.p50, cpu: '' },
    'per image, score only, p50 (ms)': {
      wasm: figures.scoringOnlyMs.p50,
      cpu: figures.baseline.perImageMs.p50,
    },
    'per image, score only, p95 (ms)': {
      wasm: figures.scoringOnlyMs.p95,
      cpu: figures.baseline.perImageMs.p95,
    },
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}
