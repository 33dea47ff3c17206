// inspect lists as "no gradient rule" only ops on a path from a maskable weight to an output.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectModel } from '../../../src/core/views/inspectModel';
import { DataType } from '../../../src/core/onnx/ir';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { nonDifferentiableOps, supportedGradientOps } from '../../../src/core/autodiff/registry';

describe('inspect: ops without a gradient rule', () => {
  test('counts only ops between a maskable weight and an output', () => {
    const value = { type: 'tensor' as const, value: makeTensor('', DataType.INT64, [1], [1]) };
    const model = makeModel({
      opset: 18,
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [2, 3] }],
      outputs: [
        { name: 'y', elemType: DataType.FLOAT }, { name: 'positions', elemType: DataType.FLOAT },
        { name: 'mask', elemType: DataType.INT64 },
      ],
      initializers: [
        makeTensor('w', DataType.FLOAT, [3, 3], Array.from({ length: 9 }, (_, i) => i / 9)),
        makeTensor('one', DataType.INT64, [], [1]),
        makeTensor('zero', DataType.INT64, [], [0]),
      ],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Acos', inputs: ['h'], outputs: ['a'] },
        { op: 'Acos', inputs: ['a'], outputs: ['y'] },
        { op: 'Atan', inputs: ['h'], outputs: ['dead'] }, // reaches no output
        // Shape of a weight-derived tensor: paths stop there, so Range, Acos and Trilu below are off them.
        { op: 'Shape', inputs: ['h'], outputs: ['size'] },
        { op: 'Gather', inputs: ['size', 'one'], outputs: ['n'], attrs: { axis: 0 } },
        { op: 'Range', inputs: ['zero', 'n', 'one'], outputs: ['r'] },
        { op: 'Cast', inputs: ['r'], outputs: ['rf'], attrs: { to: DataType.FLOAT } },
        { op: 'Acos', inputs: ['rf'], outputs: ['positions'] },
        { op: 'ConstantOfShape', inputs: ['size'], outputs: ['ones'], attrs: { value } },
        { op: 'Trilu', inputs: ['ones'], outputs: ['mask'] },
      ],
    });
    const options = { supportedGradientOps: supportedGradientOps(), nonDifferentiableOps: [...nonDifferentiableOps] };
    const report = inspectModel(model, options);
    assert.deepEqual(report.maskable.tensors.map((t) => t.name), ['w']);
    assert.deepEqual(report.gradients, { checked: true, unsupported: [{ op: 'Acos', count: 2 }] });
  });
});
