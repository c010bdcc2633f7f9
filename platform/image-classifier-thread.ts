// The image classifier's own thread (platform/image-classifier.ts starts it): nsfwjs's
// MobileNetV2, whose weights ship inside its npm package, on TensorFlow.js's WebAssembly
// backend, on the CPU, with no download. Inference takes a core for over a hundred
// milliseconds a picture: here, not on the event loop of the API or the worker.
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

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
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  setWasmPaths(`${path.dirname(wasm)}/`);
  await tf.setBackend('wasm');
  await tf.ready();
  // nsfwjs announces the model it loads on the console: not in our logs.
  const info = console.info;
  console.info = () => {};
  try {
    const { load } = await import('nsfwjs');
    const model = await load('MobileNetV2');
    return { model, loadMs: performance.now() - started };
  } finally {
    console.info = info;
  }
}

const loaded = loadModel();
const port = parentPort!;

loaded.then(
  ({ loadMs }) =>
    port.postMessage({ id: 0, ready: { loadMs, backend: tf.getBackend() } } satisfies ClassifyReply),
  (err: unknown) => port.postMessage({ id: 0, error: String(err) } satisfies ClassifyReply),
);

port.on('message', (request: ClassifyRequest) => {
  void classify(request).then((reply) => port.postMessage(reply));
});

async function classify(request: ClassifyRequest): Promise<ClassifyReply> {
  try {
    const { model } = await loaded;
    const scores: Record<string, number>[] = [];
    for (const buffer of request.frames) {
      const pixels = tf.tensor3d(new Uint8Array(buffer), [request.size, request.size, 3], 'int32');
      try {
        const predictions = await model.classify(pixels, 5);
        scores.push(Object.fromEntries(predictions.map((p) => [p.className, p.probability])));
      } finally {
        pixels.dispose();
      }
    }
    return { id: request.id, scores };
  } catch (err) {
    return { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
}
