// The image classifier's process decodes through a process of its own
// (frame-decoder-process.ts), so the ffmpeg of each file is forked from a small process
// rather than from one holding the model. The classifier's process starts it first and
// cannot score without it: if it stops, the classifier's process stops too, and the
// process that started the classifier starts both again on its next request.
import { fork } from 'node:child_process';
import { UndecodableMedia } from './frames.ts';
import type { DecodeReply, DecodeRequest } from './frame-decoder-process.ts';

const PROCESS_URL = new URL('./frame-decoder-process.ts', import.meta.url);

type Request = DecodeRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export interface FrameDecoder {
  pid: number;
  /** A picture's frames, scaled to the classifier's square (platform/frames.ts). */
  decode(request: Request): Promise<Uint8Array[]>;
  /** Settles when the decoder's process has stopped. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startFrameDecoder(ffmpegPath: string): FrameDecoder {
  const child = fork(PROCESS_URL, [ffmpegPath], {
    // Frames travel as bytes, not as JSON arrays of numbers.
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (f: Uint8Array[]) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on('message', (reply: DecodeReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (!waiting) return;
    if ('error' in reply)
      waiting.reject(reply.undecodable ? new UndecodableMedia(reply.error) : new Error(reply.error));
    else waiting.resolve(reply.frames);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      const err = new Error(`the frame decoder stopped (${signal ?? code})`);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid!,
    exited,
    decode(request) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ ...request, id } as DecodeRequest, (err) => {
          if (!err) return;
          pending.delete(id);
          reject(err);
        });
      });
    },
  };
}
