// The frame decoder's own process, started by the image classifier's process before its
// model loads (platform/frame-decoder.ts): it only starts ffmpeg and hands back the
// frames (platform/frames.ts). Starting a program forks the process that starts it, at a
// cost in proportion to that process's memory, and the classifier holds 170 to 250 MiB
// once its model is loaded: the simulator's 1-second video decoded in 16.3 ms from a
// process of 298 MiB and in 7.4 from one of 94 (README, Benchmarks). This one holds 70
// to 95 MiB: Node, the TypeScript it loads, and frames on their way.
import process from 'node:process';
import { failureReply, imageFrame, videoFrames } from './frames.ts';

export type DecodeRequest = { id: number } & (
  { image: string } | { video: string; sampling: { everySeconds: number; maxFrames: number } }
);
export type DecodeReply =
  { id: number; frames: Uint8Array[] } | { id: number; error: string; undecodable: boolean };

/** The ffmpeg binary, as the classifier's parent resolved it. */
const ffmpeg = process.argv[2]!;

async function decode(request: DecodeRequest): Promise<DecodeReply> {
  try {
    const frames =
      'image' in request
        ? [await imageFrame(ffmpeg, request.image)]
        : await videoFrames(ffmpeg, request.video, request.sampling);
    return { id: request.id, frames };
  } catch (err) {
    return failureReply(request.id, err);
  }
}

process.on('message', (request: DecodeRequest) => {
  void decode(request).then((reply) => process.send!(reply));
});
// The classifier went away (stopped, or killed): nothing is left to decode for.
process.on('disconnect', () => process.exit(0));
