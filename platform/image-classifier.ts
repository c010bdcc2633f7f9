// The image classifier the API (uploads) and the worker (generated videos) share: files
// are decoded into frames by ffmpeg (platform/frames.ts) and scored by nsfwjs in one
// thread of this process (image-classifier-thread.ts), started on first use (the model
// loads in about half a second) and kept for the process's life. Frames wait their turn
// for that thread, so however many uploads arrive at once, one core at most is busy
// classifying; the event loop never is.
import { Worker } from 'node:worker_threads';
import {
  CLASSIFIER_INPUT_SIZE,
  IMAGE_CLASSES,
  VIDEO_FRAME_SAMPLING,
  type ImageScores,
} from '../domain/moderation.ts';
import { ffmpegBinary, imageFrame, videoFrames } from './frames.ts';
import type { ClassifyReply, ClassifyRequest } from './image-classifier-thread.ts';

export interface ClassifierReady {
  /** Time to start the thread and load the model, in milliseconds. */
  loadMs: number;
  backend: string;
}

export interface ImageClassifier {
  /** Starts the thread and loads the model if not yet done. */
  ready(): Promise<ClassifierReady>;
  /** Scores square RGB frames (platform/frames.ts). */
  scoreFrames(frames: readonly Uint8Array[]): Promise<ImageScores[]>;
  /** Scores an image file (JPEG, PNG, WebP). */
  scoreImageFile(file: string): Promise<ImageScores>;
  /** Scores frames sampled from a video file (VIDEO_FRAME_SAMPLING). */
  scoreVideoFile(file: string): Promise<ImageScores[]>;
  /** Stops the thread; a later call starts it again. */
  close(): Promise<void>;
}

interface Pending {
  resolve: (scores: ImageScores[]) => void;
  reject: (err: Error) => void;
}

const THREAD_URL = new URL('./image-classifier-thread.ts', import.meta.url);

function asScores(raw: Record<string, number>): ImageScores {
  return Object.fromEntries(IMAGE_CLASSES.map((c) => [c, raw[c] ?? 0])) as ImageScores;
}

export function createImageClassifier(options: { ffmpegPath?: string } = {}): ImageClassifier {
  const ffmpeg = () => ffmpegBinary(options.ffmpegPath);
  let thread: { worker: Worker; ready: Promise<ClassifierReady> } | undefined;
  const pending = new Map<number, Pending>();
  let nextId = 1;

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  function start() {
    if (thread) return thread;
    const worker = new Worker(THREAD_URL);
    // The thread never keeps the process alive on its own.
    worker.unref();
    const ready = new Promise<ClassifierReady>((resolve, reject) => {
      worker.on('message', (reply: ClassifyReply) => {
        if (reply.id === 0) {
          if ('ready' in reply) resolve(reply.ready);
          else reject(new Error(`the image classifier did not load: ${'error' in reply ? reply.error : ''}`));
          return;
        }
        const waiting = pending.get(reply.id);
        pending.delete(reply.id);
        if (!waiting) return;
        if ('error' in reply) waiting.reject(new Error(`image classifier: ${reply.error}`));
        else if ('scores' in reply) waiting.resolve(reply.scores.map(asScores));
      });
      worker.on('error', (err) => {
        reject(err);
        failAll(err);
      });
      worker.on('exit', () => {
        if (thread?.worker === worker) thread = undefined;
        failAll(new Error('the image classifier stopped'));
      });
    });
    ready.catch(() => {
      if (thread?.worker === worker) thread = undefined;
    });
    thread = { worker, ready };
    return thread;
  }

  async function scoreFrames(frames: readonly Uint8Array[]): Promise<ImageScores[]> {
    if (frames.length === 0) return [];
    const { worker, ready } = start();
    await ready;
    const id = nextId++;
    const buffers = frames.map((f) => f.slice().buffer);
    return new Promise<ImageScores[]>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage(
        { id, frames: buffers, size: CLASSIFIER_INPUT_SIZE } satisfies ClassifyRequest,
        buffers,
      );
    });
  }

  return {
    ready: () => start().ready,
    scoreFrames,
    async scoreImageFile(file) {
      const [scores] = await scoreFrames([await imageFrame(ffmpeg(), file)]);
      return scores!;
    },
    async scoreVideoFile(file) {
      return scoreFrames(await videoFrames(ffmpeg(), file, VIDEO_FRAME_SAMPLING));
    },
    async close() {
      const current = thread;
      thread = undefined;
      if (current) await current.worker.terminate();
    },
  };
}
