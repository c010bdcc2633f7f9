// The image classifier's model as ONNX, built in memory from the weights nsfwjs ships in
// its npm package (a Keras MobileNetV2 in TensorFlow.js's layers format, platform/
// keras-model.ts). ONNX Runtime runs that graph natively, about six times faster than
// TensorFlow.js's WebAssembly backend on the same core, with the same scores
// (bench/README.md; tests/unit/classifier-model.test.ts), and nothing is downloaded or
// committed: the graph is made from the package at start-up, in under half a second.
//
// Only the layers this model uses are translated; any other layer is refused by name,
// and so is a weight the translation leaves out, so a different model cannot run half
// translated. Keras computes channels-last (NHWC), ONNX's convolutions channels-first
// (NCHW): the graph takes NCHW input and kernels are transposed to match, and Flatten,
// the only layout-sensitive step after the convolutions, goes back to NHWC first, so the
// Dense weights apply unchanged.
import {
  imageInputShape,
  outputUnits,
  readWeights,
  type KerasLayer,
  type LayersModel,
  type Weight,
} from './keras-model.ts';
import { OnnxGraph, float, int, ints, text } from './onnx-graph.ts';

/** The model's input, as the graph takes it: [batch, 3, side, side], RGB scaled to 0..1. */
export const MODEL_INPUT = 'pixels';
/** The model's output: [batch, 5] class probabilities, in the order of MODEL_CLASSES. */
export const MODEL_OUTPUT = 'scores';
/** nsfwjs's classes (its NSFW_CLASSES), in the order of the model's outputs. */
export const MODEL_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;

/** nsfwjs's MobileNetV2 (224×224), read from the package's bundled files. */
export async function nsfwjsMobileNetV2(): Promise<{ model: LayersModel; weights: Uint8Array }> {
  const { MobileNetV2Model } = await import('nsfwjs/models/mobilenet_v2');
  const model = (await MobileNetV2Model.modelJson()).default as unknown as LayersModel;
  const shards = await Promise.all(
    MobileNetV2Model.weightBundles.map(async (bundle) => Buffer.from((await bundle()).default, 'base64')),
  );
  return { model, weights: Buffer.concat(shards) };
}

/** What a layer's translation works with: the graph so far and the model's weights. */
class Translation {
  readonly graph = new OnnxGraph();
  private readonly used = new Set<string>();
  private readonly weights: Map<string, Weight>;
  constructor(weights: Map<string, Weight>) {
    this.weights = weights;
  }

  weight(name: string): Weight {
    const w = this.weights.get(name);
    if (!w) throw new Error(`the model has no weight ${name}`);
    this.used.add(name);
    return w;
  }

  unused(): string[] {
    return [...this.weights.keys()].filter((name) => !this.used.has(name));
  }

  /** The layer's activation after `value`. */
  activation(layer: KerasLayer, value: string): string {
    switch (layer.config.activation ?? 'linear') {
      case 'linear':
        return value;
      case 'relu':
        return this.graph.node('Relu', layer.name, [value]);
      case 'softmax':
        return this.graph.node('Softmax', layer.name, [value], [int('axis', -1)]);
      default:
        throw new Error(
          `activation ${String(layer.config.activation)} of layer ${layer.name} is not translated`,
        );
    }
  }
}

type Translate = (t: Translation, layer: KerasLayer, inputs: string[]) => string;

const LAYERS: Record<string, Translate> = {
  InputLayer: () => MODEL_INPUT,
  Dropout: (_t, _layer, [x]) => x!, // inference: the identity
  ZeroPadding2D(t, layer, [x]) {
    const [[top, bottom], [left, right]] = layer.config.padding as [[number, number], [number, number]];
    const pads = BigInt64Array.from([0, 0, top, left, 0, 0, bottom, right], BigInt);
    return t.graph.node('Pad', layer.name, [x!, t.graph.constant(`${layer.name}/pads`, [8], pads)]);
  },
  Conv2D: (t, layer, inputs) => convolution(t, layer, inputs, false),
  DepthwiseConv2D: (t, layer, inputs) => convolution(t, layer, inputs, true),
  BatchNormalization(t, layer, [x]) {
    const c = layer.config;
    if (c.axis !== -1 && c.axis !== 3)
      throw new Error(`layer ${layer.name}: only channel batch norm is translated`);
    const param = (name: string, absent: number) => {
      const n = t.weight(`${layer.name}/moving_mean`).values.length;
      const values =
        (name === 'gamma' && c.scale === false) || (name === 'beta' && c.center === false)
          ? new Float32Array(n).fill(absent)
          : t.weight(`${layer.name}/${name}`).values;
      return t.graph.constant(`${layer.name}/${name}`, [n], values);
    };
    const inputs = [
      x!,
      param('gamma', 1),
      param('beta', 0),
      param('moving_mean', 0),
      param('moving_variance', 1),
    ];
    return t.graph.node('BatchNormalization', layer.name, inputs, [float('epsilon', c.epsilon as number)]);
  },
  ReLU(t, layer, [x]) {
    const c = layer.config;
    if (c.negative_slope || c.threshold)
      throw new Error(`layer ${layer.name}: leaky or thresholded ReLU is not translated`);
    if (c.max_value == null) return t.graph.node('Relu', layer.name, [x!]);
    const min = t.graph.constant(`${layer.name}/min`, [], Float32Array.of(0));
    const max = t.graph.constant(`${layer.name}/max`, [], Float32Array.of(c.max_value as number));
    return t.graph.node('Clip', layer.name, [x!, min, max]);
  },
  Add: (t, layer, [first, ...rest]) =>
    rest.reduce((sum, value, i) => t.graph.node('Add', `${layer.name}/${i}`, [sum, value]), first!),
  AveragePooling2D(t, layer, [x]) {
    if (layer.config.padding !== 'valid')
      throw new Error(`layer ${layer.name}: only valid pooling is translated`);
    return t.graph.node(
      'AveragePool',
      layer.name,
      [x!],
      [
        ints('kernel_shape', layer.config.pool_size as number[]),
        ints('strides', layer.config.strides as number[]),
      ],
    );
  },
  Flatten(t, layer, [x]) {
    // Keras flattens channels-last: back to NHWC first, so the next Dense's rows match.
    const nhwc = t.graph.node('Transpose', `${layer.name}/nhwc`, [x!], [ints('perm', [0, 2, 3, 1])]);
    return t.graph.node('Flatten', layer.name, [nhwc], [int('axis', 1)]);
  },
  Dense(t, layer, [x]) {
    const kernel = t.weight(`${layer.name}/kernel`);
    const inputs = [x!, t.graph.constant(`${layer.name}/kernel`, kernel.shape, kernel.values)];
    if (layer.config.use_bias) {
      const bias = t.weight(`${layer.name}/bias`);
      inputs.push(t.graph.constant(`${layer.name}/bias`, bias.shape, bias.values));
    }
    return t.activation(layer, t.graph.node('Gemm', layer.name, inputs));
  },
};

/** A Keras convolution as an ONNX Conv: a depthwise one is a Conv with a group per channel. */
function convolution(t: Translation, layer: KerasLayer, [x]: string[], depthwise: boolean): string {
  const c = layer.config;
  if (JSON.stringify(c.dilation_rate ?? [1, 1]) !== '[1,1]')
    throw new Error(`layer ${layer.name}: dilation is not translated`);
  const kernelName = `${layer.name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`;
  const { shape, values } = t.weight(kernelName);
  // Keras: [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier]); ONNX: [out, in/group, kh, kw].
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const outChannels = depthwise ? cin * cout : cout;
  const inPerGroup = depthwise ? 1 : cin;
  const kernel = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let xx = 0; xx < kw; xx++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          const [oc, ic] = depthwise ? [i * cout + o, 0] : [o, i];
          kernel[((oc * inPerGroup + ic) * kh + y) * kw + xx] = values[((y * kw + xx) * cin + i) * cout + o]!;
        }
  const inputs = [x!, t.graph.constant(kernelName, [outChannels, inPerGroup, kh, kw], kernel)];
  if (c.use_bias)
    inputs.push(t.graph.constant(`${layer.name}/bias`, [outChannels], t.weight(`${layer.name}/bias`).values));
  const conv = t.graph.node('Conv', layer.name, inputs, [
    ints('kernel_shape', [kh, kw]),
    ints('strides', c.strides as number[]),
    int('group', depthwise ? cin : 1),
    // TensorFlow's 'same' puts the odd pixel of padding after, as SAME_UPPER does.
    text('auto_pad', c.padding === 'same' ? 'SAME_UPPER' : 'VALID'),
  ]);
  return t.activation(layer, conv);
}

/** The Keras layers model as ONNX ModelProto bytes, ready for `InferenceSession.create`. */
export function kerasToOnnx(model: LayersModel, weightBytes: Uint8Array): Uint8Array {
  const t = new Translation(readWeights(model, weightBytes));
  /** The ONNX value each Keras layer's output is. */
  const valueOf = new Map<string, string>();
  const { layers, output_layers } = model.modelTopology.model_config.config;
  for (const layer of layers) {
    const translate = LAYERS[layer.class_name];
    if (!translate) throw new Error(`layer ${layer.name} (${layer.class_name}) is not translated`);
    const inputs = (layer.inbound_nodes[0] ?? []).map(([name]) => {
      const value = valueOf.get(name);
      if (!value) throw new Error(`layer ${layer.name} reads ${name} before it is computed`);
      return value;
    });
    valueOf.set(layer.name, translate(t, layer, inputs));
  }
  const unused = t.unused();
  if (unused.length > 0) throw new Error(`weights the translation did not use: ${unused.join(', ')}`);
  const [height, width, channels] = imageInputShape(model);
  t.graph.nodeWithOutput('Identity', MODEL_OUTPUT, [valueOf.get(output_layers[0]![0])!]);
  return t.graph.encode(
    'nsfwjs-mobilenet-v2',
    { name: MODEL_INPUT, dims: ['batch', channels, height, width] },
    { name: MODEL_OUTPUT, dims: ['batch', outputUnits(model)] },
  );
}
