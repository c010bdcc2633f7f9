// The built-in renderer makes real, exact videos that show what was asked for: checked
// with ffprobe and by reading pixels out of frames, not by trust.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFfmpegPath, renderLocalVideo, resolutionSize } from '../../../providers/local.ts';
import type { LocalRenderOptions } from '../../../providers/local.ts';

const run = promisify(execFile);
const ffprobePath = (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path;
/** Render time for these short clips on a 2-core machine is well under this. */
const RENDER_TEST_TIMEOUT_MS = 60_000;
const DURATION_TOLERANCE_S = 0.1;
/** Small frames keep the pixel checks fast; the text scales with the frame. */
const SMALL = { width: 480, height: 270 } as const;
/** Neighbouring pixels of a smooth gradient differ by a level or two; noise by dozens. */
const SMOOTH_MEAN_STEP = 3;
/** A pixel counts as "changed by text" past this difference in any channel. */
const TEXT_DELTA = 60;
/** yuv420p and x264 move a flat colour by a few levels. */
const COLOUR_TOLERANCE = 12;

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

interface Frame {
  width: number;
  height: number;
  /** RGB, row by row. */
  rgb: Buffer;
}

async function frameAt(
  file: string,
  seconds: number,
  size: { width: number; height: number },
): Promise<Frame> {
  const { stdout } = await run(
    defaultFfmpegPath(),
    [
      '-v',
      'error',
      '-ss',
      String(seconds),
      '-i',
      file,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  expect(stdout.length).toBe(size.width * size.height * 3);
  return { ...size, rgb: stdout };
}

const pixel = (f: Frame, x: number, y: number): [number, number, number] => {
  const at = (Math.round(y) * f.width + Math.round(x)) * 3;
  return [f.rgb[at] ?? 0, f.rgb[at + 1] ?? 0, f.rgb[at + 2] ?? 0];
};

/** Mean difference between horizontally neighbouring pixels, over all channels. */
function meanStep(f: Frame): number {
  let total = 0;
  let count = 0;
  for (let y = 0; y < f.height; y += 2) {
    for (let x = 1; x < f.width; x += 1) {
      const a = pixel(f, x - 1, y);
      const b = pixel(f, x, y);
      total += Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]);
      count += 3;
    }
  }
  return total / count;
}

/** Share of pixels in a region that differ strongly between two frames. */
function changedShare(
  a: Frame,
  b: Frame,
  region: { x0: number; y0: number; x1: number; y1: number },
): number {
  let changed = 0;
  let count = 0;
  for (let y = region.y0; y < region.y1; y += 1) {
    for (let x = region.x0; x < region.x1; x += 1) {
      const p = pixel(a, x, y);
      const q = pixel(b, x, y);
      if (Math.max(Math.abs(p[0] - q[0]), Math.abs(p[1] - q[1]), Math.abs(p[2] - q[2])) > TEXT_DELTA) {
        changed += 1;
      }
      count += 1;
    }
  }
  return changed / count;
}

const render = (name: string, options: Partial<LocalRenderOptions> = {}) =>
  renderLocalVideo({
    prompt: 'a paper boat on a rainy street',
    seed: 1,
    durationSeconds: 2,
    ...SMALL,
    outputPath: join(dir, name),
    ...options,
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
  it.each([
    ['480p', '16:9', 2],
    ['720p', '9:16', 3],
    ['1080p', '1:1', 2],
    ['540p', '4:3', 2],
  ] as const)(
    'makes a %s %s H.264 MP4 of exactly %i s (yuv420p, faststart)',
    async (resolution, aspect, seconds) => {
      const size = resolutionSize(resolution, aspect);
      const name = `size-${resolution}-${aspect.replace(':', 'x')}.mp4`;
      const { bytes } = await render(name, { ...size, durationSeconds: seconds });
      const file = join(dir, name);
      expect(bytes).toBe((await stat(file)).size);
      const info = await probe(file);
      expect(info).toMatchObject({ codec_name: 'h264', ...size, pix_fmt: 'yuv420p' });
      expect(info.format).toContain('mp4');
      expect(Math.abs(info.duration - seconds)).toBeLessThanOrEqual(DURATION_TOLERANCE_S);
      // faststart: the index (moov) comes before the media data, so playback starts at once.
      const data = await readFile(file);
      expect(data.indexOf('moov')).toBeLessThan(data.indexOf('mdat'));
    },
    RENDER_TEST_TIMEOUT_MS,
  );

  it(
    'reports progress in order, up to the end',
    async () => {
      const progress: number[] = [];
      await render('progress.mp4', { onProgress: (f) => progress.push(f) });
      expect(progress.at(-1)).toBe(1);
      expect(progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= (progress[i - 1] ?? 0)))).toBe(
        true,
      );
    },
    RENDER_TEST_TIMEOUT_MS,
  );

  it(
    'draws the text over a smooth background: frames differ from the same look without text only where the text is',
    async () => {
      const prompt = 'Lighthouse in a storm';
      await render('with-text.mp4', { prompt });
      await render('without-text.mp4', { prompt, text: '' });
      // Mid-video: the title has faded in and, with no captions, rests at the centre.
      const withText = await frameAt(join(dir, 'with-text.mp4'), 1.5, SMALL);
      const without = await frameAt(join(dir, 'without-text.mp4'), 1.5, SMALL);

      expect(meanStep(without)).toBeLessThan(SMOOTH_MEAN_STEP);
      const { width: w, height: h } = SMALL;
      const titleBand = {
        x0: Math.round(w * 0.1),
        y0: Math.round(h * 0.4),
        x1: Math.round(w * 0.9),
        y1: Math.round(h * 0.6),
      };
      const corners = { x0: 0, y0: 0, x1: Math.round(w * 0.1), y1: Math.round(h * 0.2) };
      expect(changedShare(withText, without, titleBand)).toBeGreaterThan(0.03);
      expect(changedShare(withText, without, corners)).toBe(0);
    },
    RENDER_TEST_TIMEOUT_MS,
  );

  it(
    'shows captions for the rest of a long text in the lower part of the frame',
    async () => {
      const prompt =
        'A paper boat drifts down a rainy street. Neon signs shimmer in the puddles while a cat watches from a doorway.';
      await render('captions.mp4', { prompt, durationSeconds: 4 });
      await render('captions-none.mp4', { prompt, text: '', durationSeconds: 4 });
      const a = await frameAt(join(dir, 'captions.mp4'), 3.5, SMALL);
      const b = await frameAt(join(dir, 'captions-none.mp4'), 3.5, SMALL);
      const { width: w, height: h } = SMALL;
      const lowerThird = { x0: 0, y0: Math.round(h * 0.66), x1: w, y1: Math.round(h * 0.92) };
      expect(changedShare(a, b, lowerThird)).toBeGreaterThan(0.05);
    },
    RENDER_TEST_TIMEOUT_MS,
  );

  it(
    'shows a reference image under the text, panned and zoomed across the frame',
    async () => {
      const image = join(dir, 'solid.png');
      // A flat colour the renderer's palettes never produce at the centre of a frame.
      await run(defaultFfmpegPath(), [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'color=c=0x20c040:s=640x480',
        '-frames:v',
        '1',
        image,
      ]);
      await render('image.mp4', { imagePath: image, prompt: 'my garden' });
      const info = await probe(join(dir, 'image.mp4'));
      expect(info).toMatchObject({ codec_name: 'h264', ...SMALL });
      for (const seconds of [0.2, 1.8]) {
        const frame = await frameAt(join(dir, 'image.mp4'), seconds, SMALL);
        const [r, g, b] = pixel(frame, SMALL.width / 2, SMALL.height / 2);
        expect(Math.abs(r - 0x20)).toBeLessThanOrEqual(COLOUR_TOLERANCE);
        expect(Math.abs(g - 0xc0)).toBeLessThanOrEqual(COLOUR_TOLERANCE);
        expect(Math.abs(b - 0x40)).toBeLessThanOrEqual(COLOUR_TOLERANCE);
      }
    },
    RENDER_TEST_TIMEOUT_MS,
  );

  it.each([
    ['quotes and apostrophes', `It's a "quoted" 'word' and it’s fine`],
    ['colons, commas, semicolons and brackets', 'scene 1: a, b; c [d] {e} (f) = g'],
    ['percent signs and drawtext expansions', '100% sure %{pts} %{eif:1:d} %%'],
    ['backslashes', 'C:\\path\\to\\file \\n \\\\ end\\'],
    ['newlines and tabs', 'first line\nsecond\tline\r\nthird'],
    ['non-Latin scripts', 'Привет, мир. مرحبا بالعالم. Γειά σου κόσμε. 你好，世界。こんにちは 🌧️⛵'],
    ['shell and graph syntax', '$(rm -rf /) `id` | && ; [out] [0:v] -y -i x'],
  ])(
    'renders a prompt with %s without breaking ffmpeg, and draws it',
    async (_what, prompt) => {
      const name = `tricky-${Buffer.from(prompt).toString('hex').slice(0, 16)}`;
      await render(`${name}.mp4`, { prompt, durationSeconds: 1 });
      await render(`${name}-none.mp4`, { prompt, text: '', durationSeconds: 1 });
      const info = await probe(join(dir, `${name}.mp4`));
      expect(Math.abs(info.duration - 1)).toBeLessThanOrEqual(DURATION_TOLERANCE_S);
      const a = await frameAt(join(dir, `${name}.mp4`), 0.9, SMALL);
      const b = await frameAt(join(dir, `${name}-none.mp4`), 0.9, SMALL);
      const whole = { x0: 0, y0: 0, x1: SMALL.width, y1: SMALL.height };
      expect(changedShare(a, b, whole)).toBeGreaterThan(0.005);
    },
    RENDER_TEST_TIMEOUT_MS,
  );

  it(
    'depends on the request only: same request, same bytes; another prompt or seed, other bytes',
    async () => {
      await render('b1.mp4', { prompt: 'neon city at night', seed: 7 });
      await render('b2.mp4', { prompt: 'neon city at night', seed: 7 });
      await render('c.mp4', { prompt: 'a quiet forest in the snow', seed: 7 });
      await render('d.mp4', { prompt: 'neon city at night', seed: 8 });
      const [b1, b2, c, d] = await Promise.all(
        ['b1.mp4', 'b2.mp4', 'c.mp4', 'd.mp4'].map((f) => readFile(join(dir, f))),
      );
      expect(b1?.equals(b2 as Buffer)).toBe(true);
      expect(b1?.equals(c as Buffer)).toBe(false);
      expect(b1?.equals(d as Buffer)).toBe(false);
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
    await expect(render('none.mp4', { ffmpegPath: join(dir, 'no-such-ffmpeg') })).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('reports an unreadable reference image as an ffmpeg error and leaves no file', async () => {
    const outputPath = join(dir, 'bad-image.mp4');
    await expect(render('bad-image.mp4', { imagePath: join(dir, 'missing.png') })).rejects.toThrow(
      /ffmpeg exited/,
    );
    await expect(stat(outputPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
