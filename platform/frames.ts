// Pictures as the image classifier takes them: ffmpeg decodes an image file (JPEG, PNG,
// WebP) or samples frames from a video, and scales each to the classifier's square as
// raw RGB (3 bytes a pixel). One decoder for every format the platform accepts, and the
// same binary the local renderer uses: no image library to install.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { CLASSIFIER_INPUT_SIZE } from '../domain/moderation.ts';

/** Bytes of one frame: a square of RGB pixels. */
export const FRAME_BYTES = CLASSIFIER_INPUT_SIZE * CLASSIFIER_INPUT_SIZE * 3;
/** How much of ffmpeg's stderr is kept for an error message. */
const STDERR_TAIL_CHARS = 2000;

/** The ffmpeg binary from npm (@ffmpeg-installer/ffmpeg), unless a path is configured. */
export function ffmpegBinary(configured?: string): string {
  if (configured) return configured;
  const require = createRequire(import.meta.url);
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

/** ffmpeg found no picture it could read in the file. */
export class UndecodableMedia extends Error {
  override name = 'UndecodableMedia';
}

/**
 * A failure as the classifier's and the decoder's processes answer it: its message, and
 * whether ffmpeg could not read the file.
 */
export function failureReply(id: number, err: unknown): { id: number; error: string; undecodable: boolean } {
  return {
    id,
    error: err instanceof Error ? err.message : String(err),
    undecodable: err instanceof UndecodableMedia,
  };
}

/**
 * Decoding and filtering on one thread each. The classifier keeps to one core (its process
 * scores one request at a time), and so does the ffmpeg it starts: a 1-second 320×180 video
 * decodes in 4.7 ms of CPU instead of 7.3 (ffmpeg's default threads cost more to start than
 * they save), and a 10-second 1080p one in 1.0 s instead of 1.1, taking 1.0 s of wall time
 * instead of 0.7 s on two cores (README, Benchmarks).
 */
const ONE_THREAD = ['-threads', '1', '-filter_threads', '1'];

const SCALE = `scale=${CLASSIFIER_INPUT_SIZE}:${CLASSIFIER_INPUT_SIZE}:flags=bilinear`;

/** Runs ffmpeg and cuts what it writes to stdout into frames. */
function rawFrames(binary: string, args: string[], maxFrames: number): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      binary,
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        ...ONE_THREAD,
        ...args,
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        'pipe:1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      // Never more than the frames asked for, whatever ffmpeg writes.
      if (size < maxFrames * FRAME_BYTES) chunks.push(chunk);
      size += chunk.length;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0)
        return reject(new UndecodableMedia(`ffmpeg could not decode the file: ${stderr.trim() || code}`));
      const all = Buffer.concat(chunks);
      const frames: Uint8Array[] = [];
      for (let at = 0; at + FRAME_BYTES <= all.length && frames.length < maxFrames; at += FRAME_BYTES) {
        frames.push(new Uint8Array(all.subarray(at, at + FRAME_BYTES)));
      }
      if (frames.length === 0) return reject(new UndecodableMedia('ffmpeg found no picture in the file'));
      resolve(frames);
    });
  });
}

/** The first picture of an image file, scaled to the classifier's square. */
export async function imageFrame(binary: string, file: string): Promise<Uint8Array> {
  const [frame] = await rawFrames(binary, ['-i', file, '-frames:v', '1', '-vf', SCALE], 1);
  return frame!;
}

/** Frames sampled from a video file: one every `everySeconds` from the start, at most `maxFrames`. */
export function videoFrames(
  binary: string,
  file: string,
  sampling: { everySeconds: number; maxFrames: number },
): Promise<Uint8Array[]> {
  return rawFrames(
    binary,
    [
      '-i',
      file,
      '-an',
      '-vf',
      `fps=1/${sampling.everySeconds},${SCALE}`,
      '-frames:v',
      String(sampling.maxFrames),
    ],
    sampling.maxFrames,
  );
}
