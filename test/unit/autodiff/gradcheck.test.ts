import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGradient, measureGradient, substituteFloat64, TOLERANCE } from './checkGradient';
import type { RuleEntry } from '../../../src/core/autodiff/types';
import { DataType } from '../../../src/core/onnx/ir';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { createSession, ort } from '../../../src/core/runtime/session';

describe('checkGradient', () => {
  test('reports a rule that is wrong by a small factor', async () => {
    const wrongTanh: RuleEntry = { rule: (node, [dY], ctx) => {
      const y2 = ctx.emit1('Mul', [node.outputs[0]!, node.outputs[0]!]);
      return [ctx.emit1('Mul', [dY!, ctx.emit1('Sub', [ctx.constant([1.001]), y2])])];
    } };
    const r = await measureGradient({ op: 'Tanh', inputs: [{ shape: [3, 4] }], rules: { Tanh: wrongTanh } });
    assert.ok(r.worst > 100 * TOLERANCE, `worst ${r.worst}`);
  });

  test('rejects a gradient whose dims differ from the input (an undone broadcast)', async () => {
    const noReduce: RuleEntry = { rule: (_node, [dY]) => [dY!, dY!] };
    await assert.rejects(
      checkGradient({ op: 'Add', inputs: [{ shape: [3, 4] }, { shape: [4] }], rules: { Add: noReduce } }), /dims/);
  });

  test('skips only the coordinates next to a declared kink', async () => {
    const r = await measureGradient(
      { op: 'Relu', inputs: [{ shape: [8], values: [0, -1, 1, 0.001, 2, -2, 0.5, -0.5], kinks: [0] }] });
    assert.ok(r.worst <= TOLERANCE);
    assert.equal(r.skipped, 2);
    assert.equal(r.checked, 6);
  });

  test('the float64 Erf series matches reference values of erf', async () => {
    const model = makeModel({ inputs: [{ name: 'x', elemType: DataType.DOUBLE, shape: [5] }],
      outputs: [{ name: 'y', elemType: DataType.DOUBLE }], nodes: [{ op: 'Erf', inputs: ['x'], outputs: ['y'] }] });
    const s = await createSession(substituteFloat64(model));
    const y = (await s.run(
      { x: new ort.Tensor('float64', Float64Array.from([0, 0.5, 1, -2, 3]), [5]) }))['y']!.data as Float64Array;
    // erf(0.5), erf(1), erf(2), erf(3) to 16 digits (Abramowitz & Stegun table 7.1 / mpmath).
    const expected = [0, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527, 0.9999779095030014];
    expected.forEach((e, i) =>
      assert.ok(Math.abs(y[i]! - e) < 1e-13, `erf(${[0, 0.5, 1, -2, 3][i]}) = ${y[i]}, expected ${e}`));
  });

  test('the float64 Gelu and LeakyRelu rewrites match onnxruntime float32 kernels', async () => {
    const xs = Float64Array.from({ length: 41 }, (_, i) => -3 + 0.15 * i);
    for (const [op, attrs, opset] of [['Gelu', {}, 20], ['Gelu', { approximate: 'tanh' }, 20],
      ['LeakyRelu', { alpha: 0.2 }, 18]] as const) {
      const spec = (t: number) => makeModel({ opset, inputs: [{ name: 'x', elemType: t, shape: [41] }],
        outputs: [{ name: 'y', elemType: t }], nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs }] });
      const y64 = (await (await createSession(substituteFloat64(spec(DataType.DOUBLE)))).run(
        { x: new ort.Tensor('float64', xs, [41]) }))['y']!.data as Float64Array;
      const y32 = (await (await createSession(spec(DataType.FLOAT))).run(
        { x: new ort.Tensor('float32', Float32Array.from(xs), [41]) }))['y']!.data as Float32Array;
      y64.forEach((v, i) => assert.ok(Math.abs(v - y32[i]!) <= 2e-6 * Math.max(1, Math.abs(v)),
        `${op} at ${xs[i]}: ${v} vs float32 ${y32[i]}`));
    }
  });
});
