// The image classifier the API (uploads) and the worker (generated videos) share: one
// process of its own (image-classifier-process.ts), started on first use (the model
// loads in about half a second) and kept for this process's life, decodes files into
// frames with FFmpeg's libraries (platform/frames.ts) and scores them. Requests wait
// their turn there, so however many uploads arrive at once, one core at most is busy
// classifying, and neither decoding nor scoring ever runs on this process's event loop.
import { fork, type ChildProcess } from 'node:child_process';
import {
  CLASSIFIER_INPUT_SIZE,
  IMAGE_CLASSES,
  VIDEO_FRAME_SAMPLING,
  type ImageScores,
} from '../domain/moderation.ts';
import { UndecodableMedia } from './undecodable.ts';
import type { ClassifyReply, ClassifyRequest } from './image-classifier-process.ts';

export interface ClassifierReady {
  /** Time to start the process and load the model, in milliseconds. */
  loadMs: number;
  backend: string;
  /** The classifier's process, which decodes and scores. */
  pid: number;
}

export interface ImageClassifier {
  /** Starts the process and loads the model if not yet done. */
  ready(): Promise<ClassifierReady>;
  /** Scores square RGB frames (platform/frames.ts). */
  scoreFrames(frames: readonly Uint8Array[]): Promise<ImageScores[]>;
  /** Scores an image file (JPEG, PNG, WebP). */
  scoreImageFile(file: string): Promise<ImageScores>;
  /** Scores frames sampled from a video file (VIDEO_FRAME_SAMPLING). */
  scoreVideoFile(file: string): Promise<ImageScores[]>;
  /** Stops the process; a later call starts it again. */
  close(): Promise<void>;
}

interface Pending {
  resolve: (scores: ImageScores[]) => void;
  reject: (err: Error) => void;
}

const PROCESS_URL = new URL('./image-classifier-process.ts', import.meta.url);

function asScores(raw: Record<string, number>): ImageScores {
  return Object.fromEntries(IMAGE_CLASSES.map((c) => [c, raw[c] ?? 0])) as ImageScores;
}

/** Settles the request a reply answers. */
function answer(pending: Map<number, Pending>, reply: Exclude<ClassifyReply, { id: 0 }>): void {
  const waiting = pending.get(reply.id);
  pending.delete(reply.id);
  if (!waiting) return;
  if ('error' in reply)
    waiting.reject(
      reply.undecodable ? new UndecodableMedia(reply.error) : new Error(`image classifier: ${reply.error}`),
    );
  else waiting.resolve(reply.scores.map(asScores));
}

type Request = ClassifyRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Launched {
  process: ChildProcess;
  ready: Promise<ClassifierReady>;
  exited: Promise<void>;
}

function failAll(pending: Map<number, Pending>, err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

/** Starts the classifier's process; `gone` is called once it has stopped or failed to load. */
function launch(pending: Map<number, Pending>, gone: () => void): Launched {
  const started = fork(PROCESS_URL, [], {
    // Frames travel as bytes, not as JSON arrays of numbers.
    serialization: 'advanced',
    // Its memory, measured after loading and after 250 frames: 256 and 246 MiB as Node
    // starts it; 167 and 205 with a collection once the model is loaded (gc, below)
    // and glibc's allocator kept to two arenas that give freed memory back.
    execArgv: [...process.execArgv, '--expose-gc'],
    env: { ...process.env, MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: String(128 * 1024) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // The classifier keeps this process alive only while it owes an answer (see `settled`
  // below); it exits when this process does.
  started.unref();
  const exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
  const ready = new Promise<ClassifierReady>((resolve, reject) => {
    started.on('message', (reply: ClassifyReply) => {
      if ('ready' in reply) return resolve(reply.ready);
      if (reply.id === 0)
        return reject(new Error(`the image classifier did not load: ${'error' in reply ? reply.error : ''}`));
      answer(pending, reply);
    });
    started.on('error', (err) => {
      reject(err);
      failAll(pending, err);
    });
    started.on('exit', (code, signal) => {
      gone();
      const err = new Error(`the image classifier stopped (${signal ?? code})`);
      reject(err);
      failAll(pending, err);
    });
  });
  ready.catch(gone);
  return { process: started, ready, exited };
}

export function createImageClassifier(): ImageClassifier {
  let child: Launched | undefined;
  const pending = new Map<number, Pending>();
  let nextId = 1;

  /** The channel keeps the event loop alive while a load or an answer is awaited, never when idle. */
  const settled = () => {
    if (pending.size === 0) child?.process.channel?.unref();
  };

  function start(): Launched {
    if (child) return child;
    const launched = launch(pending, () => {
      if (child === launched) child = undefined;
    });
    launched.ready.then(settled, settled);
    child = launched;
    return child;
  }

  async function score(request: Request): Promise<ImageScores[]> {
    const { process: current, ready } = start();
    await ready;
    const id = nextId++;
    return new Promise<ImageScores[]>((resolve, reject) => {
      const done =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          f(v);
          settled();
        };
      pending.set(id, { resolve: done(resolve), reject: done(reject) });
      current.channel?.ref();
      current.send({ ...request, id } as ClassifyRequest);
    });
  }

  return {
    ready: () => start().ready,
    async scoreFrames(frames) {
      if (frames.length === 0) return [];
      return score({ frames: [...frames], size: CLASSIFIER_INPUT_SIZE });
    },
    async scoreImageFile(file) {
      const [scores] = await score({ image: file, size: CLASSIFIER_INPUT_SIZE });
      return scores!;
    },
    scoreVideoFile: (file) =>
      score({ video: file, size: CLASSIFIER_INPUT_SIZE, sampling: VIDEO_FRAME_SAMPLING }),
    async close() {
      const current = child;
      child = undefined;
      if (!current) return;
      current.process.ref(); // until it has exited
      current.process.kill();
      await current.exited;
    },
  };
}
