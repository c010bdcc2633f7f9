// The classifier sees the frames FFmpeg's libraries decode inside its process
// (platform/frames.ts). Which frames those are is part of S-MOD: one a second from the
// start, at most VIDEO_FRAME_SAMPLING.maxFrames, scaled to the model's square. Here they
// must be, byte for byte, what the ffmpeg command gives with the same filters, for
// videos of several lengths and sizes and for each image format an upload may be.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSIFIER_INPUT_SIZE, VIDEO_FRAME_SAMPLING } from '../../domain/moderation.ts';
import { FRAME_BYTES, imageFrame, videoFrames } from '../../platform/frames.ts';
import { UndecodableMedia } from '../../platform/undecodable.ts';
import { defaultFfmpegPath } from '../../providers/local.ts';
import { sampleVideo } from '../support/simulator/video.ts';

const run = promisify(execFile);
const EXPLICIT_PNG = fileURLToPath(new URL('../fixtures/moderation/explicit-pattern.png', import.meta.url));
const SCALE = `scale=${CLASSIFIER_INPUT_SIZE}:${CLASSIFIER_INPUT_SIZE}:flags=bilinear`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-frames-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function ffmpeg(args: string[], maxBuffer = 64 * 1024 * 1024): Promise<Buffer> {
  const { stdout } = await run(defaultFfmpegPath(), ['-hide_banner', '-loglevel', 'error', ...args], {
    encoding: 'buffer',
    maxBuffer,
  });
  return stdout;
}

/** A test pattern that changes every frame, so each sampled frame differs from its neighbours. */
async function video(name: string, size: string, seconds: number, fps: number): Promise<string> {
  const file = path.join(dir, name);
  await ffmpeg(
    ['-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps}`, '-t', String(seconds)].concat([
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      file,
    ]),
  );
  return file;
}

/** The frames the ffmpeg command gives for the same filters, cut into frames. */
async function commandFrames(file: string, filters: string, maxFrames: number): Promise<Buffer[]> {
  const raw = await ffmpeg(
    [
      '-i',
      file,
      '-an',
      '-vf',
      filters,
      '-frames:v',
      String(maxFrames),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
    ].concat(['pipe:1']),
  );
  const frames: Buffer[] = [];
  for (let at = 0; at + FRAME_BYTES <= raw.length; at += FRAME_BYTES)
    frames.push(raw.subarray(at, at + FRAME_BYTES));
  return frames;
}

function expectSameFrames(actual: Uint8Array[], expected: Buffer[]): void {
  expect(actual.map((f) => f.length)).toEqual(expected.map(() => FRAME_BYTES));
  // Compared whole, then frame by frame: a failure names the first frame that differs.
  for (const [i, frame] of actual.entries())
    expect(Buffer.compare(Buffer.from(frame), expected[i]!), `frame ${i}`).toBe(0);
}

describe('frames for the image classifier', () => {
  it('[S-MOD] samples a video as the ffmpeg command does: one frame a second from the start, at most the limit', async () => {
    const sampling = VIDEO_FRAME_SAMPLING;
    const filters = `fps=1/${sampling.everySeconds},${SCALE}`;
    const simulator = path.join(dir, 'simulator.mp4');
    await writeFile(simulator, await sampleVideo());
    const cases = [
      { file: simulator, frames: 1 },
      { file: await video('short.mp4', '640x360', 3.5, 24), frames: 4 },
      { file: await video('long.mp4', '160x120', sampling.maxFrames + 5, 5), frames: sampling.maxFrames },
    ];
    for (const { file, frames } of cases) {
      const actual = videoFrames(file, sampling);
      expect(actual, path.basename(file)).toHaveLength(frames);
      expectSameFrames(actual, await commandFrames(file, filters, sampling.maxFrames));
    }
    // Frames a second apart differ: the comparison is not between repeats of one picture.
    const [first, second] = videoFrames(cases[1]!.file, sampling);
    expect(Buffer.compare(Buffer.from(first!), Buffer.from(second!))).not.toBe(0);
    // Fewer asked for, fewer given: the first ones.
    const two = videoFrames(cases[2]!.file, { everySeconds: 2, maxFrames: 2 });
    expectSameFrames(two, await commandFrames(cases[2]!.file, `fps=1/2,${SCALE}`, 2));
  }, 60_000);

  it('[S-MOD] decodes a PNG, a JPEG and a WebP upload as the ffmpeg command does', async () => {
    const jpeg = path.join(dir, 'upload.jpg');
    const webp = path.join(dir, 'upload.webp');
    await ffmpeg(['-y', '-i', EXPLICIT_PNG, jpeg]);
    await ffmpeg(['-y', '-i', EXPLICIT_PNG, webp]);
    // Uploads are kept under names without an extension: the format is read from the bytes.
    const bare = path.join(dir, 'upload');
    await ffmpeg(['-y', '-i', EXPLICIT_PNG, '-f', 'image2', '-c:v', 'png', bare]);
    for (const file of [EXPLICIT_PNG, jpeg, webp, bare])
      expectSameFrames([imageFrame(file)], await commandFrames(file, SCALE, 1));
  }, 60_000);

  it('answers a file with no picture it can read as UndecodableMedia', async () => {
    const truncated = path.join(dir, 'truncated.mp4');
    await writeFile(truncated, (await sampleVideo()).subarray(0, 64));
    const text = path.join(dir, 'notes.png');
    await writeFile(text, 'not a picture after all');
    const sound = path.join(dir, 'sound.m4a');
    await ffmpeg(['-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', sound]);
    for (const file of [truncated, text, sound]) {
      expect(() => videoFrames(file, VIDEO_FRAME_SAMPLING), path.basename(file)).toThrow(UndecodableMedia);
      expect(() => imageFrame(file), path.basename(file)).toThrow(UndecodableMedia);
    }
  }, 60_000);
});
