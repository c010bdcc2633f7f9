// The image classifier's own thread (platform/image-classifier.ts starts it): nsfwjs's
// MobileNetV2, whose weights ship inside its npm package, translated to an ONNX graph at
// start-up (platform/classifier-model.ts) and run by ONNX Runtime on the CPU, with no
// download. A picture takes a core for about 9 ms here (it took 65 to 70 ms on
// TensorFlow.js's WebAssembly backend, the same scores to 1e-5): still here, not on the
// event loop of the API or the worker.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import {
  MODEL_CLASSES,
  MODEL_INPUT,
  MODEL_OUTPUT,
  kerasToOnnx,
  nsfwjsMobileNetV2,
} from './classifier-model.ts';

export interface ClassifyRequest {
  id: number;
  /** Square RGB frames (3 bytes a pixel), `size` pixels a side. */
  frames: ArrayBuffer[];
  size: number;
}
export type ClassifyReply =
  | { id: number; scores: Record<string, number>[] }
  | { id: number; error: string }
  | { id: 0; ready: { loadMs: number; backend: string } };

async function loadModel() {
  const started = performance.now();
  const { model, weights } = await nsfwjsMobileNetV2();
  // One thread inside ONNX Runtime too: the classifier uses one core at most, whatever
  // the load, so the API and the workflows beside it keep the others.
  const session = await ort.InferenceSession.create(kerasToOnnx(model, weights), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return { session, loadMs: performance.now() - started };
}

const loaded = loadModel();
const port = parentPort!;

loaded.then(
  ({ loadMs }) =>
    port.postMessage({ id: 0, ready: { loadMs, backend: 'onnxruntime cpu' } } satisfies ClassifyReply),
  (err: unknown) => port.postMessage({ id: 0, error: String(err) } satisfies ClassifyReply),
);

// Requests run one after another: ONNX Runtime runs each off this thread's event loop,
// and two at once would take two cores.
let queue: Promise<unknown> = Promise.resolve();
port.on('message', (request: ClassifyRequest) => {
  const reply = queue.then(() => classify(request));
  queue = reply;
  void reply.then((r) => port.postMessage(r));
});

/** RGB bytes (height × width × 3) as the graph's input: channels first, scaled to 0..1. */
function toPlanes(frames: ArrayBuffer[], size: number): Float32Array {
  const plane = size * size;
  const out = new Float32Array(frames.length * 3 * plane);
  frames.forEach((buffer, f) => {
    const rgb = new Uint8Array(buffer);
    if (rgb.length !== plane * 3) throw new Error(`a frame is ${rgb.length} bytes, not ${plane * 3}`);
    const base = f * 3 * plane;
    for (let p = 0; p < plane; p++) {
      out[base + p] = rgb[p * 3]! / 255;
      out[base + plane + p] = rgb[p * 3 + 1]! / 255;
      out[base + 2 * plane + p] = rgb[p * 3 + 2]! / 255;
    }
  });
  return out;
}

async function classify(request: ClassifyRequest): Promise<ClassifyReply> {
  try {
    const { session } = await loaded;
    const n = request.frames.length;
    const input = new ort.Tensor('float32', toPlanes(request.frames, request.size), [
      n,
      3,
      request.size,
      request.size,
    ]);
    // A video's frames in one run: one call into the runtime instead of one a frame.
    const result = await session.run({ [MODEL_INPUT]: input });
    const probabilities = result[MODEL_OUTPUT]!.data as Float32Array;
    const scores = Array.from({ length: n }, (_, f) =>
      Object.fromEntries(
        MODEL_CLASSES.map((name, c) => [name, probabilities[f * MODEL_CLASSES.length + c]!]),
      ),
    );
    return { id: request.id, scores };
  } catch (err) {
    return { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
}
