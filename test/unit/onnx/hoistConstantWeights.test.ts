import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeModel } from '../../../src/core/onnx/readModel';
import { encodeModel } from '../../../src/core/onnx/writeModel';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { DataType, type AttributeValue } from '../../../src/core/onnx/ir';
import { createSession, ort } from '../../../src/core/runtime/session';

const tensorAttr = (dataType: number, dims: number[], values: number[]): AttributeValue => ({
  type: 'tensor',
  value: makeTensor('', dataType, dims, dataType === DataType.INT64 ? values.map(BigInt) : values),
});

/** Opset 17: W [3, 2] (moved), a bias [2], an int64 shape and a [2, 2] constant that is only an output (stay). */
function constantsModel() {
  const constant = (name: string, dataType: number, dims: number[], values: number[]) => ({
    op: 'Constant', inputs: [], outputs: [name], attrs: { value: tensorAttr(dataType, dims, values) },
  });
  return makeModel({
    opset: 17,
    inputs: [{ name: 'x', shape: ['N', 3] }],
    outputs: [{ name: 'y', shape: ['N', 2] }, { name: 'eye', shape: [2, 2] }],
    nodes: [
      constant('W', DataType.FLOAT, [3, 2], [1, -2, 0.5, 3, -1, 2]),
      constant('b', DataType.FLOAT, [2], [0.25, -0.5]),
      constant('shape', DataType.INT64, [2], [-1, 2]),
      constant('eye', DataType.FLOAT, [2, 2], [1, 0, 0, 1]),
      { op: 'MatMul', inputs: ['x', 'W'], outputs: ['h'] },
      { op: 'Add', inputs: ['h', 'b'], outputs: ['hb'] },
      { op: 'Reshape', inputs: ['hb', 'shape'], outputs: ['y'] },
    ],
  });
}

describe('hoistConstantWeights (on load)', () => {
  test('moves only float rank ≥ 2 Constants that a node reads; the written model computes the same', async () => {
    const original = encodeModel(constantsModel()).model;
    const model = decodeModel(original);
    assert.deepEqual(model.loadChanges!.hoistedConstants, ['W']);
    assert.deepEqual([...model.graph.initializers.keys()], ['W']);
    assert.deepEqual([...(model.graph.initializers.get('W')!.data as Float32Array)], [1, -2, 0.5, 3, -1, 2]);
    const constants = model.graph.nodes.filter((n) => n.opType === 'Constant').map((n) => n.outputs[0]);
    assert.deepEqual(constants, ['b', 'shape', 'eye']);

    const reread = decodeModel(encodeModel(model).model);
    assert.deepEqual(reread.loadChanges!.hoistedConstants, []);
    assert.deepEqual([...reread.graph.initializers.keys()], ['W']);

    const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, -1, 0.5, 2]), [2, 3]);
    const outputs = [];
    for (const bytes of [original, encodeModel(model).model]) {
      const session = await createSession(bytes, { threads: 1 });
      outputs.push(await session.run({ x }));
      await session.release();
    }
    assert.deepEqual([...(outputs[1]!.y!.data as Float32Array)], [...(outputs[0]!.y!.data as Float32Array)]);
    assert.deepEqual([...(outputs[1]!.y!.data as Float32Array)], [-0.75, 9.5, -2.5, 7]);
  });
});
