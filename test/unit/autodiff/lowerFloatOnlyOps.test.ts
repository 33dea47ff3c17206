// lowerFloatOnlyOps against onnxruntime's own float32 kernels, and the conv/pool gradient graphs as
// emitted (ConvTranspose, Conv, native float32 kernels) against their float64 lowered runs.
//
// Tolerance (a bound, not a fudge factor): inputs are float32-exact, so the float64 result r64 is the
// exact sum up to ~1e-16 relative, and the float32 kernel's rounding error per element is at most
// γₙ·Σ|terms| with γₙ = n·u/(1−n·u), u = 2⁻²⁴, n = number of terms summed (any summation order, FMA or
// not). For the linear ops checked here Σ|terms| is exactly the same graph run on |inputs|, which is
// computed too (in float32; its own error is far below the margin). The check is
// |r32 − r64| ≤ γₙ·A + 1e-30 element-wise, where A = graph(|inputs|).
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { differentiate } from '../../../src/core/autodiff/differentiate';
import { lowerFloatOnlyOps } from '../../../src/core/autodiff/lowerFloatOnlyOps';
import { inferShapes } from '../../../src/core/runtime/inferShapes';
import { DataType, elementCount, type Model } from '../../../src/core/onnx/ir';
import { makeModel, type AttrInput } from '../../../src/core/onnx/makeModel';
import { createSession, ort } from '../../../src/core/runtime/session';

const U = 2 ** -24;
const gamma = (n: number) => (n * U) / (1 - n * U);

interface Case { op: string; attrs?: Record<string, AttrInput>; shapes: number[][]; opset?: number }

function values(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return Math.fround((a / 2 ** 32) * 2 - 1);
  });
}

async function run(model: Model, feeds: Record<string, Float32Array | Float64Array>, dims: Record<string, number[]>,
  outputs: string[]) {
  const session = await createSession(model, { threads: 1 });
  const f = Object.fromEntries(Object.entries(feeds).map(([k, v]) =>
    [k, new ort.Tensor(v instanceof Float64Array ? 'float64' : 'float32', v, dims[k])]));
  const r = await session.run(f);
  return outputs.map((o) => r[o]!.data as Float32Array | Float64Array);
}

/** Worst |r32 − r64| / (γₙ·A) over all elements (≤ 1 passes). */
function boundRatio(r32: ArrayLike<number>, r64: ArrayLike<number>, abs: ArrayLike<number>, n: number): number {
  assert.equal(r32.length, r64.length);
  let worst = 0;
  for (let i = 0; i < r32.length; i++)
    worst = Math.max(worst, Math.abs(r32[i]! - r64[i]!) / (gamma(n) * Math.abs(abs[i]!) + 1e-30));
  return worst;
}

function oneNode(c: Case, type: number, extra: 'none' | 'loss', rShape: number[] = []): Model {
  const inputs = c.shapes.map((shape, i) => ({ name: `x${i}`, elemType: type, shape }));
  const nodes = [{ op: c.op, inputs: inputs.map((i) => i.name), outputs: ['y'], attrs: c.attrs }];
  if (extra === 'none')
    return makeModel({ opset: c.opset ?? 18, inputs, outputs: [{ name: 'y', elemType: type }], nodes });
  return makeModel({
    opset: c.opset ?? 18,
    inputs: [...inputs, { name: 'r', elemType: type, shape: rShape }],
    outputs: [{ name: 'loss', elemType: type, shape: [] }],
    nodes: [...nodes, { op: 'Mul', inputs: ['y', 'r'], outputs: ['m'] },
      { op: 'ReduceSum', inputs: ['m'], outputs: ['loss'], attrs: { keepdims: 0 } }],
  });
}

/** The lowered float64 node vs the float32 kernel; n = terms per output element. */
async function forwardRatio(c: Case, n: number): Promise<number> {
  const feeds32: Record<string, Float32Array> = {};
  const dims: Record<string, number[]> = {};
  c.shapes.forEach((s, i) => { feeds32[`x${i}`] = values(elementCount(s), 7 + i); dims[`x${i}`] = s; });
  const abs = Object.fromEntries(Object.entries(feeds32).map(([k, v]) => [k, v.map(Math.abs)]));
  const feeds64 = Object.fromEntries(Object.entries(feeds32).map(([k, v]) => [k, Float64Array.from(v)]));
  const [r32] = await run(oneNode(c, DataType.FLOAT, 'none'), feeds32, dims, ['y']);
  const [a] = await run(oneNode(c, DataType.FLOAT, 'none'), abs, dims, ['y']);
  const lowered = await lowerFloatOnlyOps(oneNode(c, DataType.DOUBLE, 'none'));
  assert.ok(!lowered.graph.nodes.some((x) => x.opType === c.op), `${c.op} was not lowered`);
  const [r64] = await run(lowered, feeds64, dims, ['y']);
  return boundRatio(r32!, r64!, a!, n);
}

/** The emitted backward graph with native float32 kernels vs its float64 lowered run; n = terms per gradient
 * element. */
async function backwardRatio(c: Case, n: number): Promise<number> {
  const yShape = (await inferShapes(oneNode(c, DataType.FLOAT, 'none'))).get('y')!.map(Number);
  const build = async (type: number) => {
    const forward = oneNode(c, type, 'loss', yShape);
    const twin = oneNode(c, DataType.FLOAT, 'loss', yShape);
    const shapes = await inferShapes(twin);
    const wrt = c.shapes.map((_, i) => `x${i}`);
    const { graph, gradients } = differentiate(forward.graph,
      { loss: 'loss', wrt, shapes, floatType: type, opset: c.opset ?? 18 });
    const outs = wrt.map((w) => gradients.get(w)!);
    return { model: { ...forward,
      graph: { ...graph, outputs: outs.map((name) => ({ name, elemType: type, shape: null })) } } as Model, outs };
  };
  const feeds32: Record<string, Float32Array> = {};
  const dims: Record<string, number[]> = {};
  c.shapes.forEach((s, i) => { feeds32[`x${i}`] = values(elementCount(s), 7 + i); dims[`x${i}`] = s; });
  feeds32.r = values(elementCount(yShape), 99);
  dims.r = yShape;
  const abs = Object.fromEntries(Object.entries(feeds32).map(([k, v]) => [k, v.map(Math.abs)]));
  const feeds64 = Object.fromEntries(Object.entries(feeds32).map(([k, v]) => [k, Float64Array.from(v)]));
  const g32 = await build(DataType.FLOAT);
  const g64 = await build(DataType.DOUBLE);
  const r32 = await run(g32.model, feeds32, dims, g32.outs);
  const a = await run(g32.model, abs, dims, g32.outs);
  const r64 = await run(await lowerFloatOnlyOps(g64.model), feeds64, dims, g64.outs);
  return Math.max(...r32.map((r, i) => boundRatio(r, r64[i]!, a[i]!, n)));
}

const fwd = (c: Case, n: number) => async (t: TestContext) => {
  const ratio = await forwardRatio(c, n);
  t.diagnostic(`worst |f32 − lowered f64| / (γ_${n}·Σ|terms|) = ${ratio.toExponential(2)}`);
  assert.ok(ratio <= 1, `lowering differs from the float32 kernel beyond the rounding bound: ratio ${ratio}`);
};
const bwd = (c: Case, n: number) => async (t: TestContext) => {
  const ratio = await backwardRatio(c, n);
  t.diagnostic(`worst |f32 − lowered f64| / (γ_${n}·Σ|terms|) = ${ratio.toExponential(2)}`);
  assert.ok(ratio <= 1,
    `float32 gradient graph differs from its float64 run beyond the rounding bound: ratio ${ratio}`);
};

describe('lowerFloatOnlyOps matches onnxruntime float32 kernels', () => {
  test('Conv with stride, asymmetric pads, dilation and bias',
    fwd({ op: 'Conv', attrs: { strides: [2, 1], pads: [1, 0, 0, 2], dilations: [1, 2] },
      shapes: [[2, 3, 7, 6], [4, 3, 3, 2], [4]] }, 3 * 3 * 2 + 1));
  test('grouped Conv with SAME_LOWER padding', fwd({ op: 'Conv',
    attrs: { group: 2, auto_pad: 'SAME_LOWER', strides: [2, 2] }, shapes: [[1, 4, 6, 5], [6, 2, 2, 3]] }, 2 * 2 * 3));
  test('ConvTranspose with output_padding, pads and groups', fwd({ op: 'ConvTranspose', attrs: { strides: [2, 3],
    pads: [1, 0, 0, 1], output_padding: [1, 2], group: 2 }, shapes: [[2, 4, 3, 4], [4, 3, 3, 3], [6]] }, 2 * 9 + 1));
  test('ConvTranspose with dilations', fwd({ op: 'ConvTranspose',
    attrs: { strides: [2, 2], dilations: [2, 1], pads: [1, 1, 1, 1] }, shapes: [[1, 2, 4, 3], [2, 3, 2, 3]] }, 2 * 6));
  test('AveragePool without counting the padding, odd sizes', fwd({ op: 'AveragePool',
    attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, shapes: [[2, 2, 5, 6]] }, 10));
  test('AveragePool counting the padding', fwd({ op: 'AveragePool', attrs: { kernel_shape: [3, 2], strides: [2, 2],
    pads: [1, 0, 1, 1], count_include_pad: 1 }, shapes: [[1, 2, 5, 6]] }, 7));
  test('AveragePool with ceil_mode', fwd(
    { op: 'AveragePool', attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, shapes: [[1, 1, 5, 5]] }, 5));
  test('AveragePool with ceil_mode counting the padding', fwd({ op: 'AveragePool', attrs: { kernel_shape: [3, 3],
    strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }, shapes: [[1, 1, 6, 6]] }, 10));
  test('AveragePool with dilations (opset 19)', fwd({ op: 'AveragePool', opset: 19, attrs: { kernel_shape: [2, 2],
    dilations: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }, shapes: [[1, 1, 5, 5]] }, 5));
  test('GlobalAveragePool', fwd({ op: 'GlobalAveragePool', shapes: [[2, 3, 4, 5]] }, 21));
  test('InstanceNormalization', async (t) => {
    // Not linear, so Σ|terms| is not a graph of |inputs|: compared relative to max |y| with a stated 1e-5
    // (float32 mean/variance over 12 elements plus rsqrt: a few ulps of |x̂|·|scale|, |x̂| ≤ √12).
    const c: Case = { op: 'InstanceNormalization', shapes: [[2, 3, 3, 4], [3], [3]] };
    const dims: Record<string, number[]> = { x0: c.shapes[0]!, x1: [3], x2: [3] };
    const feeds32 = { x0: values(72, 3), x1: values(3, 4), x2: values(3, 5) };
    const [r32] = await run(oneNode(c, DataType.FLOAT, 'none'), feeds32, dims, ['y']);
    const lowered = await lowerFloatOnlyOps(oneNode(c, DataType.DOUBLE, 'none'));
    const [r64] = await run(lowered,
      Object.fromEntries(Object.entries(feeds32).map(([k, v]) => [k, Float64Array.from(v)])), dims, ['y']);
    const scale = Math.max(...Array.from(r64!, Math.abs));
    const worst = Math.max(...Array.from(r64!, (v, i) => Math.abs(v - r32![i]!))) / scale;
    t.diagnostic(`worst |f32 − lowered f64| / max|y| = ${worst.toExponential(2)}`);
    assert.ok(worst <= 1e-5);
  });
});

describe('conv and pooling gradient graphs run natively in float32 agree with their float64 runs', () => {
  test('Conv with stride 2 where (H+2P−K) mod S ≠ 0, with bias',
    bwd({ op: 'Conv', attrs: { strides: [2, 2], pads: [1, 0, 1, 0] }, shapes: [[2, 2, 6, 7], [3, 2, 3, 3], [3]] },
      2 * 3 * 12 + 3 * 9 + 4));
  test('grouped, dilated Conv with asymmetric pads', bwd({ op: 'Conv', attrs: { group: 2, dilations: [2, 1],
    strides: [1, 2], pads: [2, 0, 1, 1] }, shapes: [[2, 4, 7, 6], [6, 2, 2, 3], [6]] }, 2 * 7 * 4 + 3 * 6 + 4));
  test('pointwise Conv (the input gradient uses the kernel unflipped)',
    bwd({ op: 'Conv', shapes: [[2, 3, 3, 4], [5, 3, 1, 1], [5]] }, 2 * 12 + 5));
  test('depthwise Conv with SAME_UPPER padding',
    bwd({ op: 'Conv', attrs: { group: 3, auto_pad: 'SAME_UPPER', strides: [2, 2] },
      shapes: [[2, 3, 5, 6], [3, 1, 3, 3]] }, 2 * 9 + 9 + 4));
  test('AveragePool with ceil_mode, padding and count_include_pad = 0', bwd({ op: 'AveragePool',
    attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, shapes: [[1, 2, 6, 7]] }, 12));
  test('AveragePool with count_include_pad = 1 and odd sizes', bwd({ op: 'AveragePool', attrs: { kernel_shape: [3, 2],
    strides: [2, 3], pads: [1, 0, 1, 1], count_include_pad: 1 }, shapes: [[2, 2, 5, 7]] }, 10));
});
