import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toFloat64 } from '../../../src/core/train/toFloat64';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { encodeModel } from '../../../src/core/onnx/writeModel';
import { ort } from '../../../src/core/runtime/session';

/** erf at these points, from CPython's math.erf (libm). */
const ERF: [number, number][] = [
  [0, 0], [0.1, 0.1124629160182849], [-0.5, -0.5204998778130465], [1, 0.8427007929497149], [-1.5, -0.9661051464753108],
  [1.999, 0.9953015566513705], [2, 0.9953222650189527], [2.001, 0.9953428907185247], [2.5, 0.999593047982555],
  [-3, -0.9999779095030014], [4, 0.9999999845827421], [-6, -1], [9, 1],
];

async function run64(
  op: string,
  attrs: Record<string, string> | undefined,
  xs: number[],
): Promise<{ y: Float64Array; ops: string[] }> {
  const model = makeModel({
    inputs: [{ name: 'x', shape: [xs.length] }], outputs: [{ name: 'y', shape: [xs.length] }],
    nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs, name: `/${op}` }], opset: 20,
  });
  const wide = await toFloat64(model);
  const session = await ort.InferenceSession.create(encodeModel(wide).model, {
    graphOptimizationLevel: 'disabled',
  });
  try {
    const out = await session.run({ x: new ort.Tensor('float64', Float64Array.from(xs), [xs.length]) });
    return { y: out.y!.data as Float64Array, ops: wide.graph.nodes.map((n) => n.opType) };
  } finally {
    await session.release();
  }
}

describe('toFloat64', () => {
  test('rewrites Erf into float64 ops within 4e-15 of libm, on both sides of the series/fraction split', async () => {
    const { y, ops } = await run64('Erf', undefined, ERF.map(([x]) => x));
    assert.ok(!ops.includes('Erf') && !ops.includes('Cast'));
    ERF.forEach(([x, want], i) => assert.ok(Math.abs(y[i]! - want) <= 4e-15, `erf(${x}) = ${y[i]}, want ${want}`));
  });

  test('rewrites Gelu (exact and tanh forms) into float64 ops', async () => {
    const xs = [-3, -1, -0.25, 0, 0.5, 2.2, 5];
    const exact = await run64('Gelu', undefined, xs);
    const erf = (x: number) => ERF.find(([p]) => p === x)?.[1];
    // Gelu(x) = x·Φ(x) = x/2·(1 + erf(x/√2)); at x = √2·p the reference erf(p) is in the table.
    const probe = await run64('Gelu', undefined, [Math.SQRT2 * 1, Math.SQRT2 * -1.5, Math.SQRT2 * 2.5]);
    [1, -1.5, 2.5].forEach((p, i) => assert.ok(
      Math.abs(probe.y[i]! - (Math.SQRT2 * p / 2) * (1 + erf(p)!)) <= 1e-14, `Gelu(√2·${p}) = ${probe.y[i]}`,
    ));
    assert.equal(exact.y[3], 0);
    const tanh = await run64('Gelu', { approximate: 'tanh' }, xs);
    xs.forEach((x, i) => {
      const want = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
      assert.ok(Math.abs(tanh.y[i]! - want) <= 1e-14, `tanh Gelu(${x}) = ${tanh.y[i]}, want ${want}`);
    });
  });

  test('rewrites LeakyRelu into Where with the node\'s alpha', async () => {
    const { y } = await run64('LeakyRelu', undefined, [-2, 0, 3]);
    assert.deepEqual(Array.from(y), [-0.02, 0, 3]);
  });
});
