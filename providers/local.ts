// The built-in renderer: a real H.264 MP4 made by ffmpeg, so the whole platform (credits,
// storage, retention, downloads) works without any provider account, and a new user's
// first video shows what they asked for: the prompt (or a scene's text) as title and
// caption cards over a moving gradient, or over their reference image slowly panned and
// zoomed. The look is chosen by hashing the text and seed, so the same request always
// gives the same bytes and another seed another look.
import { spawn } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { lookFor } from './local/looks.ts';
import { sceneGraph } from './local/scene.ts';

export const DEFAULT_FPS = 24;
/**
 * x264 speed/size trade-off: local renders are previews on shared cores, so speed wins;
 * flat gradients and text compress well even at the fastest preset.
 */
const X264_PRESET = 'ultrafast';
/** How much of ffmpeg's stderr is kept for an error message. */
const STDERR_TAIL_CHARS = 2000;

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
  /** What to write on screen when it is not the prompt itself (a script scene's text); '' for none. */
  text?: string;
  /**
   * A local file (PNG, JPEG or WebP) shown under the text, slowly panned and zoomed: the
   * job's reference or first-frame image, downloaded by the caller.
   */
  imagePath?: string;
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
  const graph = sceneGraph({
    text: options.text ?? options.prompt,
    // The look follows the request, not the words shown, so a scene keeps its look when
    // only its on-screen text changes.
    look: lookFor(options.prompt, options.seed),
    width: options.width,
    height: options.height,
    fps,
    frames,
    ...(options.imagePath ? { imageInput: 0 } : {}),
  });
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    // A still image is read once; zoompan makes every frame from it.
    ...(options.imagePath ? ['-i', options.imagePath] : []),
    '-filter_complex',
    graph,
    '-map',
    '[out]',
    '-r',
    String(fps),
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

    let failed = false;
    const fail = (error: unknown) => {
      // The first cause stands: a spawn error (ENOENT) is followed by its own 'close'.
      if (failed) return;
      failed = true;
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
