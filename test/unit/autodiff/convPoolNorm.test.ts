// Gradient checks for normalisation, convolution and pooling rules. Conv, ConvTranspose, AveragePool,
// GlobalAveragePool and InstanceNormalization have no float64 kernels in onnxruntime's CPU build;
// checkGradient runs them through lowerFloatOnlyOps (float64 Gather/Einsum forms, checked against the
// float32 kernels in lowerFloatOnlyOps.test.ts, which also runs these rules' backward graphs natively).
import { describe, test } from 'node:test';
import { checkGradient } from './checkGradient';

const fixed = (shape: number[], values: number[]) => ({ shape, values, wrt: false });
/** Scales kept away from 0 (the helper zeroes the first and middle elements when 0 is in range). */
const scale = (n: number) => ({ shape: [n], range: [0.5, 2] as [number, number] });

describe('gradient rules for normalisation ops', () => {
  test('LayerNormalization over the last axis: X, scale and bias', () =>
    checkGradient({ op: 'LayerNormalization', opset: 17, inputs: [{ shape: [3, 5] }, scale(5), { shape: [5] }] }));
  test('LayerNormalization over the last two axes without bias', () => checkGradient(
    { op: 'LayerNormalization', opset: 17, attrs: { axis: 1, epsilon: 0.01 },
      inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4], range: [-2, -0.5] }] }));
  test('BatchNormalization (inference): X, scale, bias, mean and variance', () => checkGradient(
    { op: 'BatchNormalization',
      inputs: [{ shape: [2, 3, 2, 2] }, scale(3), { shape: [3] }, { shape: [3] }, { shape: [3], range: [0.5, 2] }] }));
  test('BatchNormalization on [N, C] input with fixed statistics', () => checkGradient({ op: 'BatchNormalization',
    inputs: [{ shape: [4, 3] }, scale(3), { shape: [3] }, fixed([3], [0.1, -0.2, 0.3]), fixed([3], [1.5, 0.7, 2])] }));
  test('InstanceNormalization: X, scale and bias', () =>
    checkGradient({ op: 'InstanceNormalization', inputs: [{ shape: [2, 3, 2, 3] }, scale(3), { shape: [3] }] }));
  test('InstanceNormalization on 1-D signals', () => checkGradient({ op: 'InstanceNormalization',
    attrs: { epsilon: 0.1 }, inputs: [{ shape: [2, 2, 5] }, scale(2), { shape: [2] }] }));
});

describe('gradient rules for Conv', () => {
  test('Conv 3x3, stride 1, pad 1: X, W and B', () => checkGradient({ op: 'Conv', attrs: { pads: [1, 1, 1, 1] },
    inputs: [{ shape: [2, 2, 5, 5] }, { shape: [3, 2, 3, 3] }, { shape: [3] }] }));
  test('Conv with stride 2 where (H+2P−K) mod S ≠ 0', () => checkGradient(
    { op: 'Conv', attrs: { strides: [2, 2], pads: [1, 0, 1, 0] },
      inputs: [{ shape: [1, 2, 6, 7] }, { shape: [2, 2, 3, 3] }, { shape: [2] }] }));
  test('Conv with stride 3, asymmetric pads and a rectangular kernel', () => checkGradient(
    { op: 'Conv', attrs: { strides: [3, 2], pads: [0, 2, 1, 0], kernel_shape: [2, 3] },
      inputs: [{ shape: [2, 1, 7, 6] }, { shape: [2, 1, 2, 3] }] }));
  test('Conv with stride 1 and asymmetric pads (flipped-kernel input gradient)', () => checkGradient(
    { op: 'Conv', attrs: { pads: [0, 2, 1, 1] }, inputs: [{ shape: [2, 2, 5, 4] }, { shape: [3, 2, 3, 3] }] }));
  test('Conv with stride 1 and pads beyond the kernel reach (ConvTranspose input gradient)', () => checkGradient(
    { op: 'Conv', attrs: { pads: [3, 0, 1, 3] },
      inputs: [{ shape: [1, 2, 4, 4] }, { shape: [2, 2, 3, 2] }, { shape: [2] }] }));
  test('pointwise (1x1) Conv, stride 1: the kernel needs no flip', () =>
    checkGradient({ op: 'Conv', inputs: [{ shape: [2, 3, 3, 4] }, { shape: [5, 3, 1, 1] }, { shape: [5] }] }));
  test('Conv with dilation 2', () => checkGradient({ op: 'Conv', attrs: { dilations: [2, 2], pads: [2, 1, 2, 1] },
    inputs: [{ shape: [1, 2, 6, 5] }, { shape: [2, 2, 3, 3] }] }));
  test('Conv with dilation and stride together', () => checkGradient(
    { op: 'Conv', attrs: { dilations: [2, 1], strides: [2, 3] },
      inputs: [{ shape: [2, 2, 8, 7] }, { shape: [3, 2, 2, 2] }, { shape: [3] }] }));
  test('Conv with groups = 2', () => checkGradient(
    { op: 'Conv', attrs: { group: 2, pads: [1, 1, 1, 1], strides: [2, 1] },
      inputs: [{ shape: [2, 4, 5, 4] }, { shape: [6, 2, 3, 3] }, { shape: [6] }] }));
  test('depthwise Conv (groups = channels)', () => checkGradient({ op: 'Conv', attrs: { group: 3, pads: [1, 1, 1, 1] },
    inputs: [{ shape: [2, 3, 4, 5] }, { shape: [3, 1, 3, 3] }, { shape: [3] }] }));
  test('Conv with auto_pad SAME_UPPER and stride 2', () => checkGradient({ op: 'Conv',
    attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, inputs: [{ shape: [1, 2, 5, 6] }, { shape: [2, 2, 3, 3] }] }));
  test('Conv with auto_pad SAME_LOWER', () => checkGradient({ op: 'Conv',
    attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] }, inputs: [{ shape: [1, 1, 6, 5] }, { shape: [2, 1, 2, 2] }] }));
  test('Conv with auto_pad VALID', () => checkGradient(
    { op: 'Conv', attrs: { auto_pad: 'VALID' }, inputs: [{ shape: [1, 2, 4, 4] }, { shape: [2, 2, 3, 3] }] }));
  test('1-D Conv with stride 2 and groups', () => checkGradient(
    { op: 'Conv', attrs: { strides: [2], pads: [1, 0], group: 2 },
      inputs: [{ shape: [2, 4, 9] }, { shape: [4, 2, 3] }, { shape: [4] }] }));
});

describe('gradient rules for pooling', () => {
  // Seed 1: the default seed's points put two values of one window within the 1e-3 difference step (a tie).
  test('MaxPool 2x2 stride 2', () => checkGradient(
    { op: 'MaxPool', attrs: { kernel_shape: [2, 2], strides: [2, 2] }, inputs: [{ shape: [2, 2, 4, 6] }], seed: 1 }));
  test('MaxPool 3x3 stride 3 tiling a 6x9 input (dense path)', () => checkGradient(
    { op: 'MaxPool', attrs: { kernel_shape: [3, 3], strides: [3, 3] }, inputs: [{ shape: [2, 3, 6, 9] }] }));
  test('MaxPool with overlapping windows, padding and odd sizes', () => checkGradient({ op: 'MaxPool',
    attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, inputs: [{ shape: [1, 2, 5, 6] }] }));
  test('MaxPool with ceil_mode and dilation', () => checkGradient({ op: 'MaxPool', attrs: { kernel_shape: [2, 2],
    strides: [2, 2], ceil_mode: 1, dilations: [1, 2] }, inputs: [{ shape: [1, 1, 5, 7] }] }));
  test('MaxPool that also returns Indices', () => checkGradient({ op: 'MaxPool', outputCount: 2, outputs: ['y0'],
    attrs: { kernel_shape: [2, 2] }, inputs: [{ shape: [2, 1, 3, 3] }] }));
  // Before opset 16 overlapping windows take the gather form (no ScatterElements reduction). Seed 1: the
  // default seed puts two values of one window within the difference step here too.
  test('MaxPool with overlapping windows at opset 13', () => checkGradient({ op: 'MaxPool', opset: 13,
    attrs: { kernel_shape: [3, 3], strides: [1, 1] }, inputs: [{ shape: [2, 2, 4, 5] }], seed: 1 }));
  test('MaxPool 3x3 stride 2 pad 1 at opset 13 (ResNet stem)', () => checkGradient({ op: 'MaxPool', opset: 13,
    attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, inputs: [{ shape: [1, 2, 6, 7] }],
    seed: 1 }));
  test('MaxPool with ceil_mode, dilation and asymmetric pads at opset 13', () => checkGradient({ op: 'MaxPool',
    opset: 13, attrs: { kernel_shape: [3, 2], strides: [2, 1], ceil_mode: 1, dilations: [1, 2], pads: [0, 1, 1, 0] },
    inputs: [{ shape: [1, 2, 6, 7] }], seed: 1 }));
  test('MaxPool with non-overlapping windows at opset 13', () => checkGradient(
    { op: 'MaxPool', opset: 13, attrs: { kernel_shape: [2, 2], strides: [2, 2] }, inputs: [{ shape: [1, 2, 4, 4] }] }));
  test('AveragePool 2x2 stride 2', () => checkGradient(
    { op: 'AveragePool', attrs: { kernel_shape: [2, 2], strides: [2, 2] }, inputs: [{ shape: [2, 2, 4, 4] }] }));
  test('AveragePool with padding, count_include_pad = 0, odd sizes', () => checkGradient({ op: 'AveragePool',
    attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, inputs: [{ shape: [1, 2, 5, 6] }] }));
  test('AveragePool with padding, count_include_pad = 1', () => checkGradient(
    { op: 'AveragePool', attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], count_include_pad: 1 },
      inputs: [{ shape: [1, 2, 5, 6] }] }));
  test('AveragePool with ceil_mode', () => checkGradient({ op: 'AveragePool',
    attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, inputs: [{ shape: [1, 1, 5, 5] }] }));
  test('AveragePool with dilations (opset 19)', () => checkGradient({ op: 'AveragePool', opset: 19,
    attrs: { kernel_shape: [2, 2], dilations: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 },
    inputs: [{ shape: [1, 1, 5, 5] }] }));
  test('GlobalAveragePool', () => checkGradient({ op: 'GlobalAveragePool', inputs: [{ shape: [2, 3, 3, 5] }] }));
  test('GlobalAveragePool with run-time sizes', () =>
    checkGradient({ op: 'GlobalAveragePool', unknownDims: true, inputs: [{ shape: [2, 3, 4] }] }));
});
