// The image classifier runs nsfwjs's MobileNetV2 as an ONNX graph the platform builds from
// the package's weights (platform/classifier-model.ts). Its verdicts are only as good as
// that translation: here the platform's classifier, through its own thread, must give the
// scores nsfwjs itself gives on TensorFlow.js for the same frames, class by class, in one
// batch (so frame order and the channels-first layout are checked too).
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { CLASSIFIER_INPUT_SIZE, IMAGE_CLASSES, type ImageScores } from '../../domain/moderation.ts';
import { kerasToOnnx, nsfwjsMobileNetV2 } from '../../platform/classifier-model.ts';
import { FRAME_BYTES, imageFrame } from '../../platform/frames.ts';
import { UndecodableMedia } from '../../platform/undecodable.ts';
import { createImageClassifier } from '../../platform/image-classifier.ts';
import { defaultFfmpegPath } from '../../providers/local.ts';
import { eventually } from '../support/assets.ts';
import { sampleVideo } from '../support/simulator/video.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const EXPLICIT_FIXTURE = path.join(here, '../fixtures/moderation/explicit-pattern.png');
const SIDE = CLASSIFIER_INPUT_SIZE;

/** Frames unlike each other: smooth colour, hard edges, noise, a flat colour. */
function syntheticFrames(): Uint8Array[] {
  const frame = (pixel: (x: number, y: number, c: number) => number) => {
    const rgb = new Uint8Array(SIDE * SIDE * 3);
    for (let y = 0; y < SIDE; y++)
      for (let x = 0; x < SIDE; x++) for (let c = 0; c < 3; c++) rgb[(y * SIDE + x) * 3 + c] = pixel(x, y, c);
    return rgb;
  };
  let seed = 7;
  const noise = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
  return [
    frame((x, y, c) => (c === 0 ? x : c === 1 ? y : 255 - x) & 255),
    frame((x, y, c) =>
      (Math.floor(x / 28) + Math.floor(y / 28)) % 2 ? [230, 190, 160][c]! : [40, 20, 30][c]!,
    ),
    frame(() => noise()),
    frame((_x, _y, c) => [200, 150, 120][c]!),
  ];
}

let reference: {
  classify(img: tf.Tensor3D, topk: number): Promise<{ className: string; probability: number }[]>;
};
const classifier = createImageClassifier();

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  setWasmPaths(
    `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
  );
  await tf.setBackend('wasm');
  const info = console.info;
  console.info = () => {};
  try {
    const { load } = await import('nsfwjs');
    reference = await load('MobileNetV2');
  } finally {
    console.info = info;
  }
}, 60_000);
afterAll(() => classifier.close());

async function referenceScores(frame: Uint8Array): Promise<ImageScores> {
  const pixels = tf.tensor3d(frame, [SIDE, SIDE, 3], 'int32');
  try {
    const predictions = await reference.classify(pixels, IMAGE_CLASSES.length);
    return Object.fromEntries(predictions.map((p) => [p.className, p.probability])) as ImageScores;
  } finally {
    pixels.dispose();
  }
}

describe('the image classifier as ONNX', () => {
  it('[S-MOD] scores frames as nsfwjs on TensorFlow.js does, class by class, batch order kept', async () => {
    const frames = [imageFrame(EXPLICIT_FIXTURE), ...syntheticFrames()];
    const scores = await classifier.scoreFrames(frames);
    expect(scores).toHaveLength(frames.length);
    for (const [i, frame] of frames.entries()) {
      const expected = await referenceScores(frame);
      for (const c of IMAGE_CLASSES) expect(scores[i]![c], `frame ${i}, ${c}`).toBeCloseTo(expected[c], 4);
    }
    // The fixture is the one frame the model reads as explicit: the comparison is not
    // between two flat answers.
    expect(scores[0]!.Porn).toBeGreaterThan(0.9);
    expect(Math.max(...scores.slice(1).map((s) => s.Porn))).toBeLessThan(0.5);
  }, 60_000);

  it('decodes and scores in a process of its own, which ends with the process that started it, even one killed', async () => {
    const ready = await classifier.ready();
    expect(ready.pid).not.toBe(process.pid);
    const script = `
      import { createImageClassifier } from ${JSON.stringify(path.join(here, '../../platform/image-classifier.ts'))};
      const { pid } = await createImageClassifier().ready();
      console.log(pid);
      process.kill(process.pid, 'SIGKILL');`;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-classifier-parent-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'parent.mjs'), script);
    const parent = spawn(process.execPath, [path.join(dir, 'parent.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => parent.on('exit', resolve));
    expect(parent.signalCode).toBe('SIGKILL');
    const child = Number(out.trim());
    expect(child).toBeGreaterThan(0);
    await eventually(
      async () => !alive(child),
      10_000,
      `the classifier process ${child} gone with its parent`,
    );
  }, 60_000);

  it("keeps ONNX Runtime's telemetry off: no device id, no queued events, no log file", async () => {
    // A parent with a home of its own, which the runtime's telemetry would write into
    // (~/.cache/Microsoft/DeveloperTools/.onnxruntime), beside a log in /tmp named by pid.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-classifier-telemetry-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const home = path.join(dir, 'home');
    await mkdir(home);
    const script = `
      import { createImageClassifier } from ${JSON.stringify(path.join(here, '../../platform/image-classifier.ts'))};
      const classifier = createImageClassifier();
      const { pid } = await classifier.ready();
      const [scores] = await classifier.scoreFrames([new Uint8Array(${FRAME_BYTES})]);
      await classifier.close();
      console.log(JSON.stringify({ pid, scores }));`;
    await writeFile(path.join(dir, 'parent.mjs'), script);
    const { XDG_CACHE_HOME: _cache, ...env } = process.env;
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(dir, 'parent.mjs')], {
      env: { ...env, HOME: home },
    });
    const { pid, scores } = JSON.parse(stdout) as { pid: number; scores: ImageScores };
    // The model ran (its classes' probabilities sum to 1) and its process has ended.
    expect(IMAGE_CLASSES.reduce((sum, c) => sum + scores[c], 0)).toBeCloseTo(1, 3);
    await eventually(async () => !alive(pid), 10_000, `the classifier process ${pid} gone`);
    expect(await readdir(home, { recursive: true })).toEqual([]);
    expect(existsSync(`/tmp/mat-debug-${pid}.log`)).toBe(false);
  }, 60_000);

  it('fails the request in flight when its process is killed, and the next request starts it again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-classifier-killed-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    // Long enough to decode for a second or more: the request is still in flight when killed.
    const long = path.join(dir, 'long.mp4');
    await promisify(execFile)(defaultFfmpegPath(), [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30'],
      ...['-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', long],
    ]);
    const restarting = createImageClassifier();
    onTestFinished(() => restarting.close());
    const first = await restarting.ready();
    const cpuBefore = cpuTicks(first.pid);
    const inFlight = restarting.scoreVideoFile(long);
    // Decoding: its process has used a tenth of a second of CPU on this request.
    await eventually(async () => cpuTicks(first.pid) - cpuBefore >= 10, 30_000, 'the classifier decoding');
    process.kill(first.pid, 'SIGKILL');
    await expect(inFlight).rejects.toThrow(/the image classifier stopped/);

    const [scores] = await restarting.scoreFrames([imageFrame(EXPLICIT_FIXTURE)]);
    expect(scores!.Porn).toBeGreaterThan(0.9);
    const again = await restarting.ready();
    expect(again.pid).not.toBe(first.pid);
    expect(alive(again.pid)).toBe(true);
  }, 60_000);

  it('answers a file FFmpeg cannot read as undecodable, and keeps scoring', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-classifier-damaged-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const damaged = path.join(dir, 'damaged.png');
    await writeFile(damaged, Buffer.from('\x89PNG\r\n\x1a\n not a picture after all'));
    await expect(classifier.scoreImageFile(damaged)).rejects.toBeInstanceOf(UndecodableMedia);
    await expect(classifier.scoreVideoFile(damaged)).rejects.toBeInstanceOf(UndecodableMedia);
    // The process is still there: the next video is scored (its classes' probabilities sum to 1).
    const [scores] = await classifier.scoreVideoFile(await writeSample(dir));
    expect(IMAGE_CLASSES.reduce((sum, c) => sum + scores![c], 0)).toBeCloseTo(1, 3);
  }, 60_000);

  it('refuses a model with a layer it does not translate, naming the layer', async () => {
    const { model, weights } = await nsfwjsMobileNetV2();
    const changed = structuredClone(model);
    const layers = changed.modelTopology.model_config.config.layers;
    const relu = layers.find((l) => l.class_name === 'ReLU')!;
    relu.class_name = 'PReLU';
    expect(() => kerasToOnnx(changed, weights)).toThrow(`layer ${relu.name} (PReLU) is not translated`);
  });

  it('refuses weights that do not match the manifest, or that the translation would leave out', async () => {
    const { model, weights } = await nsfwjsMobileNetV2();
    expect(() => kerasToOnnx(model, weights.subarray(0, weights.length - 1))).toThrow(/the weights are/);
    const dropped = structuredClone(model);
    const layers = dropped.modelTopology.model_config.config.layers;
    // A Dense layer read as Dropout would skip its kernel: refused, not run without it.
    const dense = layers.find((l) => l.class_name === 'Dense')!;
    dense.class_name = 'Dropout';
    expect(() => kerasToOnnx(dropped, weights)).toThrow(
      `weights the translation did not use: ${dense.name}/kernel`,
    );
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function procStat(pid: number): number[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
}

/** User and system CPU of a process so far, in clock ticks (hundredths of a second). */
const cpuTicks = (pid: number) => procStat(pid)[11]! + procStat(pid)[12]!;

async function writeSample(dir: string): Promise<string> {
  const file = path.join(dir, 'output.mp4');
  await writeFile(file, await sampleVideo());
  return file;
}
