// The image classifier's own process (platform/image-classifier.ts starts it): FFmpeg's
// libraries decode each file into frames here (platform/frames.ts), and nsfwjs's
// MobileNetV2, whose weights ship inside its npm package, translated to an ONNX graph at
// start-up (platform/classifier-model.ts), scores them on ONNX Runtime, on the CPU, with
// no download. A frame takes a core for about 10 ms (68 on TensorFlow.js's WebAssembly
// backend, the same scores to 1e-5).
//
// A process of its own, not a thread: the API's and the worker's event loops never wait
// on a decode or a model, a damaged file that crashes FFmpeg takes only this process
// down (its parent starts it again on the next request), and its memory is given back
// when it is stopped.
import process from 'node:process';
import type * as Ort from 'onnxruntime-node';
import {
  MODEL_CLASSES,
  MODEL_INPUT,
  MODEL_OUTPUT,
  kerasToOnnx,
  nsfwjsMobileNetV2,
} from './classifier-model.ts';
import { imageFrame, videoFrames } from './frames.ts';
import { UndecodableMedia } from './undecodable.ts';

// ONNX Runtime's Linux build (1.30) reports to Microsoft's collector: the model's name and
// producer, this program's path, a device id it keeps under ~/.cache/Microsoft, counts and
// times of runs, queued in a database there until sent, with a log file in /tmp. No
// recipient of the policy, and nothing the platform needs: turned off here, in the only
// process that loads the runtime, before it loads (it reads the switch once, at load).
process.env.ORT_DISABLE_TELEMETRY = '1';
const ort: typeof Ort = await import('onnxruntime-node');

/** What to score: frames already decoded, or an image or a video file to decode. */
export type ClassifyRequest = { id: number } & (
  | { frames: Uint8Array[]; size: number }
  | { image: string; size: number }
  | { video: string; size: number; sampling: { everySeconds: number; maxFrames: number } }
);
export type ClassifyReply =
  | { id: number; scores: Record<string, number>[] }
  | { id: number; error: string; undecodable: boolean }
  | { id: 0; ready: { loadMs: number; backend: string; pid: number } };

const send = (reply: ClassifyReply) => process.send!(reply);
async function loadModel() {
  const started = performance.now();
  const { model, weights } = await nsfwjsMobileNetV2();
  // One thread inside ONNX Runtime: the classifier uses one core at most, whatever the
  // load, so the API and the workflows keep the others.
  const session = await ort.InferenceSession.create(kerasToOnnx(model, weights), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  // The translation's buffers (about 60 MiB) are garbage now; collected at once instead
  // of whenever V8 next looks, which for a process this idle may be never.
  (globalThis as { gc?: () => void }).gc?.();
  return { session, loadMs: performance.now() - started };
}

const loaded = loadModel();
loaded.then(
  ({ loadMs }) => send({ id: 0, ready: { loadMs, backend: 'onnxruntime cpu', pid: process.pid } }),
  (err: unknown) => send({ id: 0, error: String(err), undecodable: false }),
);

// Requests run one after another: two at once would take two cores.
let queue: Promise<unknown> = Promise.resolve();
process.on('message', (request: ClassifyRequest) => {
  const reply = queue.then(() => classify(request));
  queue = reply;
  void reply.then(send);
});
// The parent went away (stopped, or killed): nothing is left to score for.
process.on('disconnect', () => process.exit(0));

/** RGB bytes (height × width × 3) as the graph's input: channels first, scaled to 0..1. */
function toPlanes(rgb: Uint8Array, size: number): Float32Array {
  const plane = size * size;
  if (rgb.length !== plane * 3) throw new Error(`a frame is ${rgb.length} bytes, not ${plane * 3}`);
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    out[p] = rgb[p * 3]! / 255;
    out[plane + p] = rgb[p * 3 + 1]! / 255;
    out[2 * plane + p] = rgb[p * 3 + 2]! / 255;
  }
  return out;
}

function framesOf(request: ClassifyRequest): Uint8Array[] {
  if ('frames' in request) return request.frames;
  if ('image' in request) return [imageFrame(request.image)];
  return videoFrames(request.video, request.sampling);
}

async function classify(request: ClassifyRequest): Promise<ClassifyReply> {
  try {
    const { session } = await loaded;
    const frames = framesOf(request);
    const { size } = request;
    const scores: Record<string, number>[] = [];
    // One frame a run: as fast as a video's frames in one batch (8.5 against 10 to 12 ms
    // a frame), and the runtime's working memory stays that of one frame (a batch of
    // five grew the process by 110 MiB).
    for (const frame of frames) {
      const input = new ort.Tensor('float32', toPlanes(frame, size), [1, 3, size, size]);
      const result = await session.run({ [MODEL_INPUT]: input });
      const probabilities = result[MODEL_OUTPUT]!.data as Float32Array;
      scores.push(Object.fromEntries(MODEL_CLASSES.map((name, c) => [name, probabilities[c]!])));
    }
    return { id: request.id, scores };
  } catch (err) {
    return {
      id: request.id,
      error: err instanceof Error ? err.message : String(err),
      undecodable: err instanceof UndecodableMedia,
    };
  }
}
