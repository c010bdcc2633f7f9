// The programs a script run calls: ffmpeg (composition, transcoding; its progress read
// from `-progress`), espeak-ng (speech made on the box, the text given on stdin so no
// word is ever taken for an option), and an object fetched from S3 into a local folder
// (files go up through platform/objects.ts). Each stops when the activity is cancelled.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { SCRIPT_FAILURE_TYPES } from '../../domain/script.ts';
import { isNotFound } from '../../platform/objects.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import { defaultFfmpegPath } from '../../providers/local.ts';
import { storageFailure } from '../storing.ts';

/** How much of a program's stderr is kept for an error message. */
const STDERR_TAIL_CHARS = 2000;

interface RunOptions {
  signal?: AbortSignal;
  /** Written to the program's stdin, then closed. */
  stdin?: string;
  /** Each line the program prints on stdout. */
  onLine?: (line: string) => void;
}

/** Runs a program to its end; fails with the end of its stderr. Killed when `signal` aborts. */
export function runProgram(binary: string, args: readonly string[], options: RunOptions = {}): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    options.signal?.throwIfAborted();
    const child = spawn(binary, args, {
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let pending = '';
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, killedBy) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(options.signal.reason);
      if (code === 0) return resolve();
      const tail = stderr
        .split('\n')
        .filter((l) => !l.startsWith('Fontconfig'))
        .join('\n')
        .trim();
      reject(new Error(`${binary.split('/').pop()} exited with ${code ?? killedBy}: ${tail}`));
    });
  });
}

/**
 * Runs ffmpeg, reporting 0..1 as it writes `totalSeconds` of output (its `-progress`
 * lines), quiet otherwise.
 */
export function runFfmpeg(
  args: readonly string[],
  options: {
    ffmpegPath?: string;
    totalSeconds: number;
    signal?: AbortSignal;
    onProgress?: (f: number) => void;
  },
): Promise<void> {
  const total = Math.max(0.001, options.totalSeconds);
  return runProgram(
    options.ffmpegPath ?? defaultFfmpegPath(),
    ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-progress', 'pipe:1', '-nostats', ...args],
    {
      signal: options.signal,
      onLine: (line) => {
        // `out_time_ms` is in microseconds, despite its name.
        if (line.startsWith('out_time_ms=')) {
          const us = Number(line.slice('out_time_ms='.length));
          if (Number.isFinite(us)) options.onProgress?.(Math.min(1, us / 1e6 / total));
        } else if (line === 'progress=end') options.onProgress?.(1);
      },
    },
  );
}

/** Speech for `text` as a WAV file, by espeak-ng; its length in seconds. */
export async function speak(
  text: string,
  file: string,
  options: { espeakPath: string; voice: string; wordsPerMinute: number; signal?: AbortSignal },
): Promise<number> {
  try {
    await runProgram(
      options.espeakPath,
      ['-v', options.voice, '-s', String(options.wordsPerMinute), '-w', file, '--stdin'],
      { stdin: text, signal: options.signal },
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw ApplicationFailure.nonRetryable(
        `espeak-ng is not installed here (${options.espeakPath}): speech cannot be made`,
        SCRIPT_FAILURE_TYPES.voiceUnavailable,
      );
    }
    throw err;
  }
  return wavSeconds(await readFile(file));
}

/** The length of a PCM WAV file, from its header: data bytes over bytes per second. */
export function wavSeconds(wav: Buffer): number {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') {
    throw ApplicationFailure.nonRetryable(
      'espeak-ng did not write a WAV file',
      SCRIPT_FAILURE_TYPES.mediaInvalid,
    );
  }
  let byteRate = 0;
  let at = 12;
  while (at + 8 <= wav.length) {
    const id = wav.toString('ascii', at, at + 4);
    let size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ') byteRate = wav.readUInt32LE(at + 16);
    if (id === 'data') {
      // espeak-ng writing to a file it cannot seek leaves the size unset (0 or all ones).
      if (size === 0 || size === 0xffffffff) size = wav.length - at - 8;
      return byteRate > 0 ? Math.min(size, wav.length - at - 8) / byteRate : 0;
    }
    at += 8 + size + (size % 2);
  }
  return 0;
}

/**
 * The object into `file`. The store failing, or cutting the body off, is our storage's
 * failure (the step waits for it); an object that is not there, or the local file's own
 * failure, is not.
 */
export async function downloadObject(store: ObjectStore, key: string, file: string): Promise<void> {
  const got = await store.client
    .send(new GetObjectCommand({ Bucket: store.bucket, Key: key }))
    .catch((err: unknown) => {
      throw isNotFound(err) ? err : storageFailure(err);
    });
  const body = got.Body as Readable;
  let bodyFailed = false;
  body.once('error', () => {
    bodyFailed = true;
  });
  await pipeline(body, createWriteStream(file)).catch((err: unknown) => {
    throw bodyFailed ? storageFailure(err) : err;
  });
}
