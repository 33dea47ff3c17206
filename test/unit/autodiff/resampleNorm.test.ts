// Gradient rules for Resize, ConvTranspose as a forward op, GroupNormalization and the
// InstanceNormalization forms exporters emit. Resize and ConvTranspose have no float64 kernels: the
// float64 checks run lowerFloatOnlyOps' forms, and Resize's lowering is first compared here with
// onnxruntime's own float32 Resize kernel (ConvTranspose's in lowerFloatOnlyOps.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGradient, type GradientCase } from './checkGradient';
import { checkFloat32Gradient } from './checkFloat32';
import { lowerFloatOnlyOps } from '../../../src/core/autodiff/lowerFloatOnlyOps';
import { DataType, elementCount, type Model } from '../../../src/core/onnx/ir';
import { makeModel, type AttrInput } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { createSession, ort } from '../../../src/core/runtime/session';

const both = async (c: GradientCase) => { await checkGradient(c); await checkFloat32Gradient(c); };
const floats = (shape: number[], values: number[]) => ({ shape, values, wrt: false });
const ints = (shape: number[], values: number[]) => ({ shape, type: 'int64' as const, values });

interface ResizeCase {
  attrs: Record<string, AttrInput>;
  shape: number[];
  scales?: number[];
  sizes?: number[];
  opset?: number;
  op?: 'Upsample';
}

/** A Resize (or Upsample) node over x with constant scales or sizes (inputs laid out for the case's opset). */
function resizeModel(c: ResizeCase, elemType: number) {
  const opset = c.opset ?? 18;
  const initializers = [];
  const inputs = ['x'];
  const scales = () => makeTensor('scales', DataType.FLOAT, [c.scales!.length], c.scales!);
  if (opset < 9) { /* Upsample-7 (opsets 7–8): scales in the attributes */ } else if (opset < 11) {
    inputs.push('scales');
    initializers.push(scales());
  } else {
    inputs.push('', c.scales ? 'scales' : '');
    if (c.scales) initializers.push(scales());
    if (c.sizes) {
      inputs.push('sizes');
      initializers.push(makeTensor('sizes', DataType.INT64, [c.sizes.length], c.sizes));
    }
  }
  const nodes = [{ op: c.op ?? 'Resize', inputs, outputs: ['y'], attrs: c.attrs }];
  const x = [{ name: 'x', elemType, shape: c.shape }];
  return makeModel({ opset, inputs: x, outputs: [{ name: 'y', elemType }], nodes, initializers });
}

/** Largest |lowered float64 − onnxruntime float32| over the output, on float32-exact inputs. */
async function resizeLoweringError(c: ResizeCase): Promise<number> {
  const x = Float32Array.from({ length: elementCount(c.shape) }, (_, i) => Math.fround(Math.sin(1.7 * i + 0.3) * 2));
  const run = async (model: Model, data: Float32Array | Float64Array, type: 'float32' | 'float64') =>
    (await (await createSession(model, { threads: 1 })).run({ x: new ort.Tensor(type, data, c.shape) }))['y']!;
  const r32 = await run(resizeModel(c, DataType.FLOAT), x, 'float32');
  const lowered = await lowerFloatOnlyOps(resizeModel(c, DataType.DOUBLE));
  assert.ok(!lowered.graph.nodes.some((n) => n.opType === (c.op ?? 'Resize')), 'Resize was not lowered');
  const r64 = await run(lowered, Float64Array.from(x), 'float64');
  assert.deepEqual(r64.dims, r32.dims);
  return Math.max(...Array.from(r32.data as Float32Array, (v, i) => Math.abs(v - (r64.data as Float64Array)[i]!)));
}

/** The same Resize as a gradient case: X differentiated, scales or sizes fixed. */
function resizeGradientCase(c: ResizeCase): GradientCase {
  const inputs: GradientCase['inputs'] = c.opset !== undefined && c.opset < 11
    ? [{ shape: c.shape }, ...(c.opset < 9 ? [] : [floats([c.scales!.length], c.scales!)])]
    : [{ shape: c.shape }, null, c.scales ? floats([c.scales.length], c.scales) : null,
      ...(c.sizes ? [ints([c.sizes.length], c.sizes)] : [])];
  return { op: c.op ?? 'Resize', opset: c.opset, attrs: c.attrs, inputs };
}

const resizeCases: [string, ResizeCase][] = [
  ['nearest ×2, asymmetric, floor (PyTorch Upsample export)',
    { attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
      shape: [1, 2, 3, 4], scales: [1, 1, 2, 2] }],
  ['nearest ×1.5, half_pixel, round_prefer_floor',
    { attrs: { mode: 'nearest' }, shape: [2, 1, 4, 4], scales: [1, 1, 1.5, 1.5] }],
  ['nearest downsampling by sizes, round_prefer_ceil',
    { attrs: { mode: 'nearest', nearest_mode: 'round_prefer_ceil' }, shape: [1, 1, 5, 7], sizes: [1, 1, 3, 4] }],
  ['nearest ×2 at opset 10', { opset: 10, attrs: { mode: 'nearest' }, shape: [1, 1, 3, 3], scales: [1, 1, 2, 2] }],
  ['linear ×2, pytorch_half_pixel (bilinear, align_corners=False)',
    { attrs: { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' },
      shape: [1, 2, 3, 4], scales: [1, 1, 2, 2] }],
  ['linear to sizes, align_corners',
    { attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' },
      shape: [1, 1, 3, 4], sizes: [1, 1, 5, 9] }],
  ['linear ×2.5, half_pixel', { attrs: { mode: 'linear' }, shape: [1, 1, 2, 3], scales: [1, 1, 2.5, 2.5] }],
  ['linear downsampling, asymmetric',
    { attrs: { mode: 'linear', coordinate_transformation_mode: 'asymmetric' },
      shape: [1, 1, 6, 5], scales: [1, 1, 0.5, 0.6] }],
  ['linear on a 1-D signal (3-D input), half_pixel',
    { opset: 13, attrs: { mode: 'linear' }, shape: [2, 3, 5], scales: [1, 1, 1.6] }],
  ['Upsample nearest ×2 (opset 9, scales input)',
    { op: 'Upsample', opset: 9, attrs: { mode: 'nearest' }, shape: [1, 2, 2, 3], scales: [1, 1, 2, 2] }],
  ['Upsample linear ×2 (opset 8, scales attribute)',
    { op: 'Upsample', opset: 8, attrs: { mode: 'linear', scales: { type: 'floats', value: [1, 1, 2, 1.5] } },
      shape: [1, 1, 3, 2] }],
  ['linear, half_pixel_symmetric (opset 19)',
    { opset: 19, attrs: { mode: 'linear', coordinate_transformation_mode: 'half_pixel_symmetric' },
      shape: [1, 1, 4, 5], scales: [1, 1, 1.5, 0.7] }],
  ['nearest with an axes attribute (opset 18)',
    { attrs: { mode: 'nearest', axes: [3, 2] }, shape: [1, 2, 3, 2], scales: [2, 1.5] }],
  ['linear over the channel axis too (Einsum path), asymmetric',
    { attrs: { mode: 'linear', coordinate_transformation_mode: 'asymmetric' },
      shape: [1, 2, 3, 3], scales: [1, 2, 2, 1] }],
];

describe('Resize lowering matches onnxruntime float32 Resize', () => {
  for (const [name, c] of resizeCases) {
    test(name, async (t) => {
      const error = await resizeLoweringError(c);
      t.diagnostic(`max |lowered f64 − ort f32| = ${error.toExponential(2)}`);
      assert.ok(error <= 1e-6, `lowered Resize differs by ${error}`);
    });
  }
});

describe('gradient rules for Resize (w.r.t. X)', () => {
  for (const [name, c] of resizeCases) test(name, () => both(resizeGradientCase(c)));
  test('linear by scales with run-time sizes', () =>
    both({ ...resizeGradientCase({ attrs: { mode: 'linear' },
      shape: [2, 1, 3, 4], scales: [1, 1, 2, 1.5] }), unknownDims: true }));
  test('nearest by sizes with run-time sizes', () =>
    both({ ...resizeGradientCase({
      attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
      shape: [1, 2, 3, 3], sizes: [1, 2, 6, 5] }), unknownDims: true }));
  test('cubic mode is refused, naming the node', () => assert.rejects(
    checkGradient(resizeGradientCase({ attrs: { mode: 'cubic' }, shape: [1, 1, 3, 3], scales: [1, 1, 2, 2] })),
    { name: 'AutodiffError', message: /Resize_node.*cubic/ }));
});

describe('gradient rules for ConvTranspose (X, W and B)', () => {
  test('stride 2, pads, output_padding, bias', () => both({ op: 'ConvTranspose',
    attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] },
      inputs: [{ shape: [2, 3, 3, 3] }, { shape: [3, 2, 3, 3] }, { shape: [2] }] }));
  test('groups, asymmetric strides and pads', () => both({ op: 'ConvTranspose',
    attrs: { strides: [2, 3], pads: [1, 0, 0, 1], group: 2 },
      inputs: [{ shape: [1, 4, 3, 3] }, { shape: [4, 3, 2, 3] }, { shape: [6] }] }));
  test('dilations with output_padding beyond the end pad', () => both({ op: 'ConvTranspose',
    attrs: { strides: [2, 2], dilations: [2, 1], output_padding: [1, 0] },
      inputs: [{ shape: [1, 2, 3, 2] }, { shape: [2, 2, 2, 3] }] }));
  test('depthwise 1-D', () => both({ op: 'ConvTranspose',
    attrs: { strides: [2], group: 3, pads: [1, 1] },
      inputs: [{ shape: [2, 3, 4] }, { shape: [3, 1, 4] }, { shape: [3] }] }));
  test('run-time batch and spatial sizes', () => both({ op: 'ConvTranspose', unknownDims: true,
    attrs: { strides: [2, 2], pads: [0, 1, 1, 0], output_padding: [1, 0] },
      inputs: [{ shape: [2, 2, 3, 3] }, { shape: [2, 3, 2, 2] }, { shape: [3] }] }));
  test('output_shape is refused, naming the node', () => assert.rejects(
    checkGradient({ op: 'ConvTranspose', attrs: { strides: [2, 2], output_shape: [6, 6] },
      inputs: [{ shape: [1, 1, 3, 3] }, { shape: [1, 1, 2, 2] }] }),
    { name: 'AutodiffError', message: /ConvTranspose_node.*output_shape/ }));
});

describe('gradient rules for GroupNormalization and InstanceNormalization as exported', () => {
  const scale = (n: number) => ({ shape: [n], range: [0.5, 2] as [number, number] });
  test('GroupNormalization opset 18 (scale and bias per group)', () =>
    both({ op: 'GroupNormalization', opset: 18, attrs: { num_groups: 2 },
      inputs: [{ shape: [2, 4, 2, 3] }, scale(2), { shape: [2] }] }));
  test('GroupNormalization opset 21 (scale and bias per channel)', () =>
    both({ op: 'GroupNormalization', opset: 21, attrs: { num_groups: 3, epsilon: 1e-3 },
      inputs: [{ shape: [2, 6, 3] }, scale(6), { shape: [6] }] }));
  test('GroupNormalization opset 21 with run-time sizes', () =>
    both({ op: 'GroupNormalization', opset: 21, unknownDims: true, attrs: { num_groups: 2 },
      inputs: [{ shape: [1, 4, 3, 2] }, scale(4), { shape: [4] }] }));
  test("PyTorch's GroupNorm before opset 18: Reshape, InstanceNormalization, Reshape, Mul, Add", () => both({
    inputs: {
      x: { shape: [2, 4, 3, 2] }, gamma: { shape: [4, 1, 1], range: [0.5, 2] }, beta: { shape: [4, 1, 1] },
      ones: floats([2], [1, 1]), zeros: floats([2], [0, 0]),
      grouped: ints([3], [0, 2, -1]), back: ints([4], [2, 4, 3, 2]),
    },
    nodes: [
      { op: 'Reshape', inputs: ['x', 'grouped'], outputs: ['g'] },
      { op: 'InstanceNormalization', inputs: ['g', 'ones', 'zeros'], outputs: ['n'], attrs: { epsilon: 1e-5 } },
      { op: 'Reshape', inputs: ['n', 'back'], outputs: ['r'] },
      { op: 'Mul', inputs: ['r', 'gamma'], outputs: ['s'] },
      { op: 'Add', inputs: ['s', 'beta'], outputs: ['y'] },
    ],
  }));
  test('InstanceNormalization with run-time sizes (InstanceNorm2d export)', () =>
    both({ op: 'InstanceNormalization', unknownDims: true,
      inputs: [{ shape: [2, 3, 2, 3] }, { shape: [3], range: [0.5, 2] }, { shape: [3] }] }));
});
