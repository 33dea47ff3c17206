// Rules for ops today's PyTorch exporter emits on the path to the loss: GatherND (pooled-token selection),
// GatherElements and Reciprocal (RMSNorm). float64 finite-difference checks, plus the float32 backward
// graph the trainer runs compared with a scatter-add computed here in plain JavaScript.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGradient } from './checkGradient';
import { differentiate } from '../../../src/core/autodiff/differentiate';
import { DataType, type Model } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/runtime/inferShapes';
import { makeModel, type NodeSpec } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { createSession, ort } from '../../../src/core/runtime/session';

const i64 = (values: number[], shape = [values.length]) => ({ shape, type: 'int64' as const, values });

describe('gradient rules for exporter ops (float64)', () => {
  test('GatherND picking one row per batch element (last-token selection), negative index included', () =>
    checkGradient({ op: 'GatherND', inputs: [{ shape: [3, 4, 2] }, i64([0, 3, 1, -1, 2, 0], [3, 2])] }));
  test('GatherND with repeated index tuples sums their gradients', () =>
    checkGradient({ op: 'GatherND', inputs: [{ shape: [4, 3] }, i64([1, 1, 3, -3], [2, 2, 1])] }));
  test('GatherND with full index tuples (scalars out)', () =>
    checkGradient({ op: 'GatherND', inputs: [{ shape: [2, 3] }, i64([0, 2, 1, 0, 0, 2], [3, 2])] }));
  test('GatherND with unknown static dims', () =>
    checkGradient({ op: 'GatherND', unknownDims: true, inputs: [{ shape: [3, 4, 2] }, i64([0, 3, 1, -1], [2, 2])] }));
  test('GatherElements along axis 1 with repeated and negative indices', () => checkGradient({
    op: 'GatherElements', attrs: { axis: 1 }, inputs: [{ shape: [2, 4] }, i64([0, 0, -1, 3, 2, 1], [2, 3])],
  }));
  test('GatherElements along axis 0 of a rank-3 tensor', () => checkGradient({
    op: 'GatherElements', inputs: [{ shape: [3, 2, 2] }, i64([2, 0, 1, 1, 0, 0, 2, 2], [2, 2, 2])],
  }));
  test('Reciprocal on inputs away from 0', () =>
    checkGradient({ op: 'Reciprocal', inputs: [{ shape: [3, 4], range: [0.4, 3] }] }));
  test('Reciprocal of a negative range', () =>
    checkGradient({ op: 'Reciprocal', inputs: [{ shape: [5], range: [-3, -0.4] }] }));
  test('GatherND with batch_dims is refused, naming the node', () => assert.rejects(
    checkGradient({ op: 'GatherND', attrs: { batch_dims: 1 }, inputs: [{ shape: [2, 3, 2] }, i64([0, 1], [2, 1])] }),
    /GatherND node 'GatherND_node' has batch_dims 1/,
  ));
});

/** ∂(Σ w ⊙ op(x))/∂x from the engine's float32 backward graph. */
async function float32Gradient(
  op: NodeSpec, x: { values: number[]; shape: number[] }, w: { values: number[]; shape: number[] },
  indices?: { values: number[]; shape: number[] },
): Promise<Float32Array> {
  const spec = {
    opset: 18,
    inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: x.shape }],
    outputs: [{ name: 'loss', elemType: DataType.FLOAT, shape: [] }],
    nodes: [
      op,
      { op: 'Mul', inputs: ['y', 'w'], outputs: ['m'] },
      { op: 'ReduceSum', inputs: ['m'], outputs: ['loss'], attrs: { keepdims: 0 } },
    ],
    initializers: [
      ...(indices ? [makeTensor('i', DataType.INT64, indices.shape, indices.values)] : []),
      makeTensor('w', DataType.FLOAT, w.shape, w.values),
    ],
  };
  const model = makeModel(spec);
  const shapes = await inferShapes(model);
  const { graph, gradients } = differentiate(model.graph, {
    loss: 'loss', wrt: ['x'], shapes, floatType: DataType.FLOAT, opset: 18,
  });
  const gradient = gradients.get('x')!;
  const withGrad: Model = {
    ...model, proto: undefined,
    graph: { ...graph, outputs: [{ name: gradient, elemType: DataType.FLOAT, shape: null }] },
  };
  const session = await createSession(withGrad, { threads: 1 });
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x.values), x.shape) });
  await session.release();
  return out[gradient]!.data as Float32Array;
}

describe('gradient rules for exporter ops (float32 graph as trained)', () => {
  test('GatherND: float32 backward equals a scatter-add of the weights', async () => {
    // x [3, 2], index tuples [[2], [0], [2], [-1]] select rows; y [4, 2]; w flattened over y.
    const w = [0.5, -1, 2, 0.25, -0.75, 1.5, 3, -2];
    const op: NodeSpec = { op: 'GatherND', inputs: ['x', 'i'], outputs: ['y'] };
    const g = await float32Gradient(op, { values: [1, 2, 3, 4, 5, 6], shape: [3, 2] }, { values: w, shape: [4, 2] },
      { values: [2, 0, 2, -1], shape: [4, 1] });
    const expected = [0, 0, 0, 0, 0, 0];
    [2, 0, 2, 2].forEach((row, k) => { expected[row * 2]! += w[k * 2]!; expected[row * 2 + 1]! += w[k * 2 + 1]!; });
    assert.deepEqual(Array.from(g), expected);
  });

  test('GatherElements: float32 backward equals a scatter-add of the weights', async () => {
    const w = [1, 2, 3, -4, 5, -6];
    const op: NodeSpec = { op: 'GatherElements', inputs: ['x', 'i'], outputs: ['y'], attrs: { axis: 1 } };
    const g = await float32Gradient(op, { values: [1, 2, 3, 4, 5, 6], shape: [2, 3] }, { values: w, shape: [2, 3] },
      { values: [0, 0, -1, 2, 1, 1], shape: [2, 3] });
    // Row 0 picks columns 0, 0, 2; row 1 picks 2, 1, 1.
    assert.deepEqual(Array.from(g), [1 + 2, 0, 3, 0, 5 - 6, -4]);
  });

  test('Reciprocal: float32 backward equals −w/x² within float32 rounding', async () => {
    const x = [0.5, -2, 4, 1.5];
    const w = [1, 0.5, -2, 3];
    const op: NodeSpec = { op: 'Reciprocal', inputs: ['x'], outputs: ['y'] };
    const g = await float32Gradient(op, { values: x, shape: [4] }, { values: w, shape: [4] });
    x.forEach((v, k) => {
      const expected = -w[k]! / (v * v);
      assert.ok(Math.abs(g[k]! - expected) <= 1e-6 * Math.abs(expected), `at ${v}: ${g[k]} vs ${expected}`);
    });
  });
});
