// The vision base model as ONNX Model IR: a small ResNet. A stem (Conv 3×3 stride 2 → InstanceNorm → Relu →
// MaxPool 2×2), then one residual block per stage (Conv 3×3 → InstanceNorm → Relu → Conv 3×3 → InstanceNorm,
// plus the identity, or a strided Conv 1×1 → InstanceNorm where the stage halves the resolution or widens the
// channels; → Relu), global average pooling and an MLP head to the embedding `z`. Input `x` [N, 1, H, W]
// float32 → output `z` [N, D]. Every InstanceNorm is non-affine: its scale (ones) and bias (zeros) are
// Constant nodes, not initializers, so neither training nor masks touch them. Convs feeding a norm have no
// bias (the norm would cancel it). Initializer names put each weight in its scope — `stem.*`,
// `stage<k>.*`, `head.*` — so mask scopes are globs (the reference never masks the stem; its
// "stages 3+4" and "stage 4" configurations are `stage3.*`, `stage4.*`, `head.*` and `stage4.*`, `head.*`).
// Weights are freshly initialised from the seed (He for layers followed by Relu, Xavier for the last one).
import type { Model, Tensor } from '../onnx/ir';
import { DataType } from '../onnx/ir';
import { makeModel, type NodeSpec } from '../onnx/makeModel';
import { makeTensor } from '../onnx/tensorCodec';
import { Rng } from '../util/random';
import { TaskError } from './errors';
import { DEFAULT_IMAGE_SIZE } from './makeVisionProblems';

export interface VisionModelOptions {
  seed: number;
  /** Image side (default DEFAULT_IMAGE_SIZE); the stem divides it by 4 and every later stage by 2. */
  imageSize?: number;
  /** Output channels of the stages, 3 or 4 of them (default [24, 48, 96]); the stem has the first. */
  channels?: number[];
  /** Hidden width of the MLP head (default 64). */
  hidden?: number;
  /** Embedding size D (default 32). */
  embedDim?: number;
}

export const DEFAULT_VISION_CHANNELS = [24, 48, 96];

export function makeVisionModel(options: VisionModelOptions): Model {
  const size = options.imageSize ?? DEFAULT_IMAGE_SIZE;
  const channels = options.channels ?? DEFAULT_VISION_CHANNELS;
  const hidden = options.hidden ?? 64;
  const embed = options.embedDim ?? 32;
  if (!Number.isInteger(size) || size < 16) {
    throw new TaskError(`image size ${size} is not an integer of at least 16`, 'imageSize', size);
  }
  if (channels.length < 3 || channels.length > 4) {
    throw new TaskError(`the ResNet has 3 or 4 stages, not ${channels.length}`, 'channels', channels);
  }
  const rng = Rng.derive(options.seed, 'vision-model');
  const inits: Tensor[] = [];
  const nodes: NodeSpec[] = [];
  const constants = new Set<string>();
  /** A Constant node (once per name): not an initializer, so never trained or masked. */
  const constant = (name: string, values: number[]) => {
    if (!constants.has(name)) {
      constants.add(name);
      const value = makeTensor(name, DataType.FLOAT, [values.length], Float32Array.from(values));
      const attrs = { value: { type: 'tensor' as const, value } };
      nodes.push({ name: `/const/${name}`, op: 'Constant', inputs: [], outputs: [name], attrs });
    }
    return name;
  };
  const normConstants = (n: number) => [
    constant(`norm.ones${n}`, new Array<number>(n).fill(1)),
    constant(`norm.zeros${n}`, new Array<number>(n).fill(0)),
  ];
  const param = (name: string, dims: number[], std: number) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, () => (std === 0 ? 0 : rng.normal(0, std)));
    inits.push(makeTensor(name, DataType.FLOAT, dims, data));
    return name;
  };
  const add = (scope: string, op: string, inputs: string[], attrs?: NodeSpec['attrs']) => {
    const output = `/${scope}/${op}_output_0`;
    nodes.push({ name: `/${scope}/${op}`, op, inputs, outputs: [output], ...(attrs ? { attrs } : {}) });
    return output;
  };
  /** Conv (no bias) → non-affine InstanceNorm, in `scope` (initializer prefix = scope with `/` → `.`). */
  const convNorm = (scope: string, input: string, inCh: number, outCh: number, kernel: number, stride: number) => {
    const fanIn = inCh * kernel * kernel;
    const w = param(`${scope.replaceAll('/', '.')}.weight`, [outCh, inCh, kernel, kernel], Math.sqrt(2 / fanIn));
    const pad = (kernel - 1) >> 1;
    const conv = add(scope, 'Conv', [input, w], {
      kernel_shape: [kernel, kernel], pads: [pad, pad, pad, pad], strides: [stride, stride],
    });
    return add(scope, 'InstanceNormalization', [conv, ...normConstants(outCh)], { epsilon: 1e-5 });
  };

  let cur = add('stem', 'Relu', [convNorm('stem/conv', 'x', 1, channels[0]!, 3, 2)]);
  cur = add('stem', 'MaxPool', [cur], { kernel_shape: [2, 2], strides: [2, 2] });
  let inCh = channels[0]!;
  channels.forEach((outCh, i) => {
    const stage = `stage${i + 1}`;
    const stride = i === 0 ? 1 : 2;
    const h = add(`${stage}/conv1`, 'Relu', [convNorm(`${stage}/conv1`, cur, inCh, outCh, 3, stride)]);
    const residual = convNorm(`${stage}/conv2`, h, outCh, outCh, 3, 1);
    const shortcut = stride === 1 && inCh === outCh ? cur : convNorm(`${stage}/shortcut`, cur, inCh, outCh, 1, stride);
    cur = add(stage, 'Relu', [add(stage, 'Add', [residual, shortcut])]);
    inCh = outCh;
  });
  cur = add('head', 'GlobalAveragePool', [cur]);
  cur = add('head', 'Flatten', [cur], { axis: 1 });
  const w1 = param('head.fc1.weight', [hidden, inCh], Math.sqrt(2 / inCh));
  const b1 = param('head.fc1.bias', [hidden], 0);
  const w2 = param('head.fc2.weight', [embed, hidden], Math.sqrt(2 / (hidden + embed)));
  const b2 = param('head.fc2.bias', [embed], 0);
  cur = add('head/fc1', 'Gemm', [cur, w1, b1], { transB: 1 });
  cur = add('head', 'Relu', [cur]);
  nodes.push({ name: '/head/fc2/Gemm', op: 'Gemm', inputs: [cur, w2, b2], outputs: ['z'], attrs: { transB: 1 } });
  return makeModel({
    name: 'vision-resnet',
    inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['N', 1, size, size] }],
    outputs: [{ name: 'z', elemType: DataType.FLOAT, shape: ['N', embed] }],
    nodes,
    initializers: inits,
    opset: 18,
  });
}
