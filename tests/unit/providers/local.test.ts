// The built-in renderer makes real, exact videos: checked with ffprobe, not by trust.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLocalVideo, resolutionSize } from '../../../providers/local.ts';

const run = promisify(execFile);
const ffprobePath = (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path;
/** Render time for these short clips on a 2-core machine is well under this. */
const RENDER_TEST_TIMEOUT_MS = 60_000;
const DURATION_TOLERANCE_S = 0.1;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipwise-local-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function probe(file: string) {
  const { stdout } = await run(ffprobePath, [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_name,width,height,pix_fmt:format=duration,format_name',
    '-of',
    'json',
    file,
  ]);
  const info = JSON.parse(stdout) as {
    streams: { codec_name: string; width: number; height: number; pix_fmt: string }[];
    format: { duration: string; format_name: string };
  };
  return { ...info.streams[0], duration: Number(info.format.duration), format: info.format.format_name };
}

const render = (
  name: string,
  prompt: string,
  seed: number,
  extra: { onProgress?: (f: number) => void } = {},
) =>
  renderLocalVideo({
    prompt,
    seed,
    durationSeconds: 2,
    ...resolutionSize('540p', '16:9'),
    outputPath: join(dir, name),
    ...extra,
  });

describe('resolutionSize', () => {
  it.each([
    ['540p', '16:9', 960, 540],
    ['720p', '16:9', 1280, 720],
    ['720p', '9:16', 720, 1280],
    ['1080p', '1:1', 1080, 1080],
    ['720p', '4:3', 960, 720],
    ['540p', '3:4', 540, 720],
    ['720p', '21:9', 1680, 720],
  ] as const)('%s %s is %ix%i', (resolution, aspect, width, height) => {
    expect(resolutionSize(resolution, aspect)).toEqual({ width, height });
  });

  it('refuses what it cannot size', () => {
    expect(() => resolutionSize('8k', '16:9')).toThrow(RangeError);
  });
});

describe('renderLocalVideo', () => {
  it(
    'makes a 2 s 960x540 H.264 MP4 (yuv420p, faststart) and reports progress to the end',
    async () => {
      const progress: number[] = [];
      const { bytes } = await render('a.mp4', 'a paper boat on a rainy street', 1, {
        onProgress: (f) => progress.push(f),
      });
      const file = join(dir, 'a.mp4');
      expect(bytes).toBe((await stat(file)).size);
      const info = await probe(file);
      expect(info).toMatchObject({ codec_name: 'h264', width: 960, height: 540, pix_fmt: 'yuv420p' });
      expect(info.format).toContain('mp4');
      expect(Math.abs(info.duration - 2)).toBeLessThanOrEqual(DURATION_TOLERANCE_S);
      // faststart: the index (moov) comes before the media data, so playback starts at once.
      const data = await readFile(file);
      expect(data.indexOf('moov')).toBeLessThan(data.indexOf('mdat'));
      expect(progress.at(-1)).toBe(1);
      expect(progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= (progress[i - 1] ?? 0)))).toBe(
        true,
      );
    },
    RENDER_TEST_TIMEOUT_MS,
  );

  it(
    'depends on the prompt and seed only: same request, same bytes; another prompt, other bytes',
    async () => {
      await render('b1.mp4', 'neon city at night', 7);
      await render('b2.mp4', 'neon city at night', 7);
      await render('c.mp4', 'a quiet forest in the snow', 7);
      const [b1, b2, c] = await Promise.all(['b1.mp4', 'b2.mp4', 'c.mp4'].map((f) => readFile(join(dir, f))));
      expect(b1?.equals(b2 as Buffer)).toBe(true);
      expect(b1?.equals(c as Buffer)).toBe(false);
    },
    RENDER_TEST_TIMEOUT_MS,
  );

  it(
    'stops ffmpeg when aborted and leaves no partial file',
    async () => {
      const controller = new AbortController();
      const outputPath = join(dir, 'aborted.mp4');
      const rendering = renderLocalVideo({
        prompt: 'a long render',
        seed: 3,
        durationSeconds: 60,
        ...resolutionSize('1080p', '16:9'),
        outputPath,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      });
      await expect(rendering).rejects.toMatchObject({ name: 'AbortError' });
      await expect(stat(outputPath)).rejects.toMatchObject({ code: 'ENOENT' });
    },
    RENDER_TEST_TIMEOUT_MS,
  );

  it('reports a missing ffmpeg instead of hanging', async () => {
    await expect(
      renderLocalVideo({
        prompt: 'x',
        seed: 1,
        durationSeconds: 2,
        width: 320,
        height: 180,
        outputPath: join(dir, 'none.mp4'),
        ffmpegPath: join(dir, 'no-such-ffmpeg'),
      }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
