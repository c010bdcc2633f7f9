// A Keras model as TensorFlow.js stores it (its "layers" format): the topology as JSON
// and the weights as one binary, described by a manifest, each weight possibly quantized
// to one or two bytes a value. Read here for the image classifier's translation to ONNX
// (platform/classifier-model.ts).

export interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  /** The layers this one reads, in order: [[name, node, tensor, kwargs], ...]. */
  inbound_nodes: [string, number, number, unknown][][];
}
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min: number; scale: number; dtype: 'uint8' | 'uint16' };
}
export interface LayersModel {
  modelTopology: {
    model_config: {
      config: {
        layers: KerasLayer[];
        input_layers: [string, number, number][];
        output_layers: [string, number, number][];
      };
    };
  };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}
export interface Weight {
  shape: number[];
  values: Float32Array;
}

/** Every weight by name, dequantized as TensorFlow.js does: value = q × scale + min. */
export function readWeights(model: LayersModel, bytes: Uint8Array): Map<string, Weight> {
  const out = new Map<string, Weight>();
  let at = 0;
  for (const spec of model.weightsManifest.flatMap((g) => g.weights)) {
    if (spec.dtype !== 'float32') throw new Error(`weight ${spec.name} is ${spec.dtype}, not float32`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization;
    let values: Float32Array;
    if (!q) {
      values = new Float32Array(bytes.slice(at, at + count * 4).buffer);
      at += count * 4;
    } else if (q.dtype === 'uint8') {
      values = Float32Array.from(bytes.subarray(at, at + count), (v) => v * q.scale + q.min);
      at += count;
    } else {
      const raw = new Uint16Array(bytes.slice(at, at + count * 2).buffer);
      values = Float32Array.from(raw, (v) => v * q.scale + q.min);
      at += count * 2;
    }
    out.set(spec.name, { shape: spec.shape, values });
  }
  if (at !== bytes.length) throw new Error(`the weights are ${bytes.length} bytes, the manifest names ${at}`);
  return out;
}

/** The model's one input layer's shape, [batch, height, width, channels]. */
export function imageInputShape(model: LayersModel): [number, number, number] {
  const { layers, input_layers } = model.modelTopology.model_config.config;
  if (input_layers.length !== 1) throw new Error('the model must have one input');
  const name = input_layers[0]![0];
  const shape = layers.find((l) => l.name === name)?.config.batch_input_shape as
    (number | null)[] | undefined;
  if (!shape || shape.length !== 4 || shape.slice(1).some((d) => !d))
    throw new Error(`input ${name} is not an image batch`);
  return [shape[1]!, shape[2]!, shape[3]!];
}

/** The number of classes of the model's one output, a Dense layer. */
export function outputUnits(model: LayersModel): number {
  const { layers, output_layers } = model.modelTopology.model_config.config;
  if (output_layers.length !== 1) throw new Error('the model must have one output');
  const name = output_layers[0]![0];
  const units = layers.find((l) => l.name === name)?.config.units;
  if (typeof units !== 'number') throw new Error(`output ${name} is not a Dense layer`);
  return units;
}
