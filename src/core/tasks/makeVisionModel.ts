// The vision base model as ONNX Model IR: input centring (two scalar constants, rank 0, so masks
// leave them alone), three conv blocks (Conv 3×3 → Relu → MaxPool 2×2) and an
// MLP projection to the embedding `z`. Input `x` [N, 1, H, W] float32 → output `z` [N, D]. Weights are
// freshly initialised from the seed (He for layers followed by Relu, Xavier for the last one);
// the engine trains them. Node names are `/`-scoped so the layer graph groups them by block.
import type { Model, Tensor } from '../onnx/ir';
import { DataType } from '../onnx/ir';
import { makeModel, type NodeSpec } from '../onnx/makeModel';
import { makeTensor } from '../onnx/tensorCodec';
import { Rng } from '../util/random';
import { TaskError } from './errors';
import { DEFAULT_IMAGE_SIZE } from './makeVisionProblems';

export interface VisionModelOptions {
  seed: number;
  /** Image side (default 24); must be divisible by 8 (three 2×2 pools). */
  imageSize?: number;
  /** Output channels of the three conv blocks (default [8, 16, 32]). */
  channels?: [number, number, number];
  /** Hidden width of the MLP projection (default 64). */
  hidden?: number;
  /** Embedding size D (default 32). */
  embedDim?: number;
}

export function makeVisionModel(options: VisionModelOptions): Model {
  const size = options.imageSize ?? DEFAULT_IMAGE_SIZE;
  if (!Number.isInteger(size) || size % 8 !== 0 || size <= 0) throw new TaskError(`image size ${size} is not a positive multiple of 8`, 'imageSize', size);
  const channels = options.channels ?? [8, 16, 32];
  const hidden = options.hidden ?? 64;
  const embed = options.embedDim ?? 32;
  const rng = Rng.derive(options.seed, 'vision-model');
  const inits: Tensor[] = [];
  const nodes: NodeSpec[] = [];
  const param = (name: string, dims: number[], std: number) => {
    const n = dims.reduce((a, b) => a * b, 1);
    inits.push(makeTensor(name, DataType.FLOAT, dims, Float32Array.from({ length: n }, () => (std === 0 ? 0 : rng.normal(0, std)))));
    return name;
  };

  // Centre the pixels: background 0 → −1, small shapes 0.5 → 0, outline 1 → 1. With a zero
  // background and zero biases most first-layer units would sit at Relu's kink with no gradient.
  inits.push(makeTensor('input.offset', DataType.FLOAT, [], [0.5]), makeTensor('input.scale', DataType.FLOAT, [], [2]));
  nodes.push(
    { name: '/input/Sub', op: 'Sub', inputs: ['x', 'input.offset'], outputs: ['/input/Sub_output_0'] },
    { name: '/input/Mul', op: 'Mul', inputs: ['/input/Sub_output_0', 'input.scale'], outputs: ['/input/Mul_output_0'] },
  );
  let cur = '/input/Mul_output_0';
  let inCh = 1;
  channels.forEach((outCh, i) => {
    const block = `conv${i + 1}`;
    const w = param(`${block}.weight`, [outCh, inCh, 3, 3], Math.sqrt(2 / (inCh * 9)));
    const b = param(`${block}.bias`, [outCh], 0);
    nodes.push(
      { name: `/${block}/Conv`, op: 'Conv', inputs: [cur, w, b], outputs: [`/${block}/Conv_output_0`], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] } },
      { name: `/${block}/Relu`, op: 'Relu', inputs: [`/${block}/Conv_output_0`], outputs: [`/${block}/Relu_output_0`] },
      { name: `/${block}/MaxPool`, op: 'MaxPool', inputs: [`/${block}/Relu_output_0`], outputs: [`/${block}/MaxPool_output_0`], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    );
    cur = `/${block}/MaxPool_output_0`;
    inCh = outCh;
  });
  const flat = inCh * (size / 8) * (size / 8);
  const w1 = param('head.fc1.weight', [hidden, flat], Math.sqrt(2 / flat));
  const b1 = param('head.fc1.bias', [hidden], 0);
  const w2 = param('head.fc2.weight', [embed, hidden], Math.sqrt(2 / (hidden + embed)));
  const b2 = param('head.fc2.bias', [embed], 0);
  nodes.push(
    { name: '/head/Flatten', op: 'Flatten', inputs: [cur], outputs: ['/head/Flatten_output_0'], attrs: { axis: 1 } },
    { name: '/head/fc1/Gemm', op: 'Gemm', inputs: ['/head/Flatten_output_0', w1, b1], outputs: ['/head/fc1/Gemm_output_0'], attrs: { transB: 1 } },
    { name: '/head/Relu', op: 'Relu', inputs: ['/head/fc1/Gemm_output_0'], outputs: ['/head/Relu_output_0'] },
    { name: '/head/fc2/Gemm', op: 'Gemm', inputs: ['/head/Relu_output_0', w2, b2], outputs: ['z'], attrs: { transB: 1 } },
  );
  return makeModel({
    name: 'vision-cnn',
    inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['N', 1, size, size] }],
    outputs: [{ name: 'z', elemType: DataType.FLOAT, shape: ['N', embed] }],
    nodes,
    initializers: inits,
    opset: 18,
  });
}
