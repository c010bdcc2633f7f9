// Pictures as the image classifier takes them: FFmpeg's own libraries decode an image
// file (JPEG, PNG, WebP) or sample frames from a video, and scale each to the
// classifier's square as raw RGB (3 bytes a pixel). They run inside the calling process
// through node-av, whose prebuilt FFmpeg ships in its npm package: no program is started
// for a file. Starting ffmpeg for each file cost a video 9.5 ms of CPU in two processes
// (the ffmpeg and the one that started it, which then passed the frames on) where this
// costs about 4 (bench/README.md), and the filters are FFmpeg's, so the frames are
// byte for byte those of the ffmpeg command (tests/unit/frames.test.ts).
import { Demuxer, Decoder, FilterAPI } from 'node-av/api';
import { AV_LOG_QUIET } from 'node-av/constants';
import { Log } from 'node-av/lib';
import { CLASSIFIER_INPUT_SIZE } from '../domain/moderation.ts';
import { UndecodableMedia } from './undecodable.ts';

/** Bytes of one frame: a square of RGB pixels. */
export const FRAME_BYTES = CLASSIFIER_INPUT_SIZE * CLASSIFIER_INPUT_SIZE * 3;

// What FFmpeg would print about a damaged file goes nowhere: the failure is answered as
// UndecodableMedia, with FFmpeg's reason in its message.
Log.setLevel(AV_LOG_QUIET);

const SCALE = `scale=${CLASSIFIER_INPUT_SIZE}:${CLASSIFIER_INPUT_SIZE}:flags=bilinear`;

/**
 * The frames of the file's first video stream (a still image is one) through `filters`,
 * as RGB, at most `maxFrames`; audio is never decoded. Decoding and filtering on one
 * thread each, synchronously: the classifier's process scores one request at a time on
 * one core, so there is nothing to overlap, and FFmpeg's threads cost more to start than
 * they save on a short video.
 */
function decodeFrames(file: string, filters: string, maxFrames: number): Uint8Array[] {
  try {
    using input = Demuxer.openSync(file);
    const stream = input.video();
    if (!stream) throw new UndecodableMedia('FFmpeg found no picture in the file');
    using decoder = Decoder.createSync(stream, { threadCount: 1 });
    using graph = FilterAPI.create(`${filters},format=rgb24`, { threads: 1 });
    const frames: Uint8Array[] = [];
    for (using frame of graph.framesSync(decoder.framesSync(input.packetsSync(stream.index)))) {
      if (!frame) continue;
      frames.push(new Uint8Array(frame.toBuffer()));
      if (frames.length >= maxFrames) break;
    }
    if (frames.length === 0) throw new UndecodableMedia('FFmpeg found no picture in the file');
    return frames;
  } catch (err) {
    // Whatever stops FFmpeg (an unreadable container, a stream with no decoder, a damaged
    // picture) means the same thing here: the file cannot be looked at.
    if (err instanceof UndecodableMedia) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new UndecodableMedia(`FFmpeg could not decode the file: ${reason}`);
  }
}

/** The first picture of an image file, scaled to the classifier's square. */
export function imageFrame(file: string): Uint8Array {
  return decodeFrames(file, SCALE, 1)[0]!;
}

/** Frames sampled from a video file: one every `everySeconds` from the start, at most `maxFrames`. */
export function videoFrames(
  file: string,
  sampling: { everySeconds: number; maxFrames: number },
): Uint8Array[] {
  return decodeFrames(file, `fps=1/${sampling.everySeconds},${SCALE}`, sampling.maxFrames);
}
