// The built-in renderer: a real H.264 MP4 made by ffmpeg from lavfi's generated sources, so
// the whole platform (credits, storage, retention, downloads) works without any provider
// account. The picture is chosen by hashing the prompt and seed, so the same request
// always gives the same bytes and different prompts give visibly different videos.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';

export const DEFAULT_FPS = 24;
/** x264 speed/size trade-off: local renders are previews, speed matters more. */
const X264_PRESET = 'veryfast';
/** How much of ffmpeg's stderr is kept for an error message. */
const STDERR_TAIL_CHARS = 2000;
/** Generated sources are drawn smaller and scaled up: cheaper, and a chunky look. */
const PIXEL_ART_DIVISOR = 4;
const SMOOTH_DIVISOR = 2;
/** Mandelbrot's cost grows with area; it is never drawn wider than this. */
const MANDELBROT_MAX_WIDTH = 640;
const MANDELBROT_MAX_ITERATIONS = 200;

/** The short side of each resolution, in pixels. */
const SHORT_SIDE: Readonly<Record<string, number>> = {
  '480p': 480,
  '540p': 540,
  '720p': 720,
  '1080p': 1080,
  '4k': 2160,
};

const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

/** Pixel size for a resolution and aspect ratio: 720p 16:9 is 1280x720, 9:16 is 720x1280. */
export function resolutionSize(resolution: string, aspectRatio: string): { width: number; height: number } {
  const short = SHORT_SIDE[resolution];
  const [w, h] = aspectRatio.split(':').map(Number);
  if (!short || !w || !h) throw new RangeError(`no size for ${resolution} at ${aspectRatio}`);
  return w >= h
    ? { width: even((short * w) / h), height: short }
    : { width: short, height: even((short * h) / w) };
}

export interface LocalRenderOptions {
  prompt: string;
  seed: number;
  durationSeconds: number;
  width: number;
  height: number;
  fps?: number;
  outputPath: string;
  /** Overrides the binary shipped by @ffmpeg-installer/ffmpeg (config.ffmpegPath). */
  ffmpegPath?: string;
  /** 0..1, as ffmpeg reports frames written. */
  onProgress?: (fraction: number) => void;
  /** Aborting kills ffmpeg and removes the partial file. */
  signal?: AbortSignal;
}

/** The ffmpeg binary from npm, resolved only when no path was configured. */
export function defaultFfmpegPath(): string {
  const require = createRequire(import.meta.url);
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

export async function renderLocalVideo(options: LocalRenderOptions): Promise<{ bytes: number }> {
  options.signal?.throwIfAborted();
  const fps = options.fps ?? DEFAULT_FPS;
  const frames = Math.max(1, Math.round(options.durationSeconds * fps));
  const source = lookFor(options.prompt, options.seed, options.width, options.height, fps, frames / fps);
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    source,
    '-frames:v',
    String(frames),
    '-c:v',
    'libx264',
    '-preset',
    X264_PRESET,
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    // No encoder version, creation time or other metadata: same request, same bytes.
    '-fflags',
    '+bitexact',
    '-flags:v',
    '+bitexact',
    '-map_metadata',
    '-1',
    '-progress',
    'pipe:1',
    '-nostats',
    options.outputPath,
  ];
  await runFfmpeg(options.ffmpegPath ?? defaultFfmpegPath(), args, frames, options);
  return { bytes: (await stat(options.outputPath)).size };
}

function runFfmpeg(
  binary: string,
  args: string[],
  frames: number,
  options: LocalRenderOptions,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let pending = '';
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // `-progress` prints key=value blocks; frames written is the steadiest measure.
        if (line.startsWith('frame=')) options.onProgress?.(Math.min(1, Number(line.slice(6)) / frames || 0));
        else if (line === 'progress=end') options.onProgress?.(1);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });

    const fail = (error: unknown) => {
      // A half-written MP4 must not be mistaken for a result (R-TEMP).
      void rm(options.outputPath, { force: true }).finally(() => reject(error));
    };
    child.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      fail(err);
    });
    child.on('close', (code, killedBy) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return fail(options.signal.reason);
      if (code === 0) return resolve();
      fail(new Error(`ffmpeg exited with ${code ?? killedBy}: ${stderr.trim()}`));
    });
  });
}

// ---------------------------------------------------------------- looks

/** A small deterministic generator seeded from the request's hash. */
function randomFrom(prompt: string, seed: number): () => number {
  const digest = createHash('sha256').update(`${seed}\u0000${prompt}`).digest();
  let state = digest.readUInt32LE(0);
  return () => {
    // mulberry32: tiny, fast, and good enough to pick colours.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;
const colour = (random: () => number): string =>
  `0x${Math.floor(random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;
const fixed = (n: number): string => n.toFixed(3);

/** Places in the Mandelbrot set worth zooming into. */
const MANDELBROT_POINTS = [
  [-0.743643887037151, 0.13182590420533],
  [-0.7453, 0.1127],
  [-1.25066, 0.02012],
  [-0.16, 1.0405],
  [0.2549870375144766, -0.0005679790528465],
] as const;
const CELLULAR_RULES = [18, 30, 45, 73, 90, 105, 110, 150] as const;

type Look = (random: () => number, w: number, h: number, fps: number, seconds: number) => string;

const LOOKS: readonly Look[] = [
  (random, w, h, fps, seconds) => {
    const [x, y] = pick(random, MANDELBROT_POINTS);
    const iw = even(Math.min(MANDELBROT_MAX_WIDTH, w / SMOOTH_DIVISOR));
    const ih = even((iw * h) / w);
    return (
      `mandelbrot=size=${iw}x${ih}:rate=${fps}:maxiter=${MANDELBROT_MAX_ITERATIONS}` +
      `:start_x=${x}:start_y=${y}:start_scale=${fixed(1 + random() * 2)}:end_scale=${fixed(0.01 + random() * 0.1)}` +
      `:end_pts=${Math.round(seconds * fps)},scale=${w}:${h}:flags=bicubic,hue=h=${Math.round(random() * 360)}+${Math.round(20 + random() * 60)}*t`
    );
  },
  (random, w, h, fps) =>
    `life=size=${even(w / PIXEL_ART_DIVISOR)}x${even(h / PIXEL_ART_DIVISOR)}:rate=${fps}:mold=${Math.round(random() * 20)}` +
    `:ratio=${fixed(0.1 + random() * 0.4)}:seed=${Math.floor(random() * 1e9)}` +
    `:life_color=${colour(random)}:death_color=${colour(random)}:mold_color=${colour(random)},scale=${w}:${h}:flags=neighbor`,
  (random, w, h, fps) =>
    `cellauto=size=${even(w / PIXEL_ART_DIVISOR)}x${even(h / PIXEL_ART_DIVISOR)}:rate=${fps}:rule=${pick(random, CELLULAR_RULES)}` +
    `:seed=${Math.floor(random() * 1e9)}:scroll=1:full=1,scale=${w}:${h}:flags=neighbor,` +
    `colorchannelmixer=rr=${fixed(random())}:gg=${fixed(random())}:bb=${fixed(random())},hue=h=${Math.round(random() * 360)}*t/${Math.round(2 + random() * 6)}`,
  (random, w, h, fps) => {
    const f = () => fixed(4 + random() * 12);
    const s = () => fixed(0.5 + random() * 3);
    const tw = even(w / (PIXEL_ART_DIVISOR * 2));
    const th = even(h / (PIXEL_ART_DIVISOR * 2));
    return (
      `color=c=black:s=${tw}x${th}:r=${fps},format=gbrp,` +
      `geq=r='128+127*sin(X/${f()}+T*${s()})':g='128+127*sin(Y/${f()}+T*${s()})':b='128+127*sin((X+Y)/${f()}+T*${s()})',` +
      `scale=${w}:${h}:flags=bicubic`
    );
  },
  (random, w, h, fps) =>
    `testsrc2=size=${w}x${h}:rate=${fps},hue=h=${Math.round(random() * 360)}+${Math.round(30 + random() * 90)}*t:s=${fixed(0.5 + random())}`,
  (random, w, h, fps) =>
    `smptehdbars=size=${w}x${h}:rate=${fps},hue=h=${Math.round(random() * 360)}*t,` +
    `rotate=a=${fixed(0.1 + random() * 0.4)}*sin(${fixed(0.5 + random() * 2)}*t):fillcolor=${colour(random)}`,
];

/** The lavfi graph for a request: which source, which colours, how it moves. */
export function lookFor(
  prompt: string,
  seed: number,
  width: number,
  height: number,
  fps: number,
  seconds: number,
): string {
  const random = randomFrom(prompt, seed);
  const look = pick(random, LOOKS);
  return `${look(random, width, height, fps, seconds)},format=yuv420p`;
}
