import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inferShapes, inferTensorInfo } from '../../../src/core/runtime/inferShapes';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { DataType } from '../../../src/core/onnx/ir';

const F = DataType.FLOAT;
const I64 = DataType.INT64;
const seq = (n: number) => Array.from({ length: n }, (_, i) => (i % 7) * 0.1 - 0.3);

function mlp() {
  return makeModel({
    inputs: [{ name: 'x', shape: ['batch', 4] }],
    outputs: [{ name: 'logits', shape: ['batch', 3] }, { name: 'hidden' }],
    initializers: [
      makeTensor('W1', F, [4, 5], seq(20)), makeTensor('b1', F, [5], seq(5)),
      makeTensor('W2', F, [5, 3], seq(15)), makeTensor('b2', F, [3], seq(3)),
    ],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W1'], outputs: ['h0'] },
      { op: 'Add', inputs: ['h0', 'b1'], outputs: ['h1'] },
      { op: 'Relu', inputs: ['h1'], outputs: ['hidden'] },
      { op: 'MatMul', inputs: ['hidden', 'W2'], outputs: ['h2'] },
      { op: 'Add', inputs: ['h2', 'b2'], outputs: ['logits'] },
    ],
  });
}

describe('inferShapes', () => {
  test('gives every input, initializer and intermediate its shape, keeping the batch symbol', async () => {
    const shapes = await inferShapes(mlp());
    assert.deepEqual(shapes.get('x'), ['batch', 4]);
    assert.deepEqual(shapes.get('W1'), [4, 5]);
    assert.deepEqual(shapes.get('b2'), [3]);
    assert.deepEqual(shapes.get('h0'), ['batch', 5]);
    assert.deepEqual(shapes.get('hidden'), ['batch', 5]);
    assert.deepEqual(shapes.get('h2'), ['batch', 3]);
    assert.deepEqual(shapes.get('logits'), ['batch', 3]);
    assert.equal(shapes.size, 4 + 1 + 5);
  });

  test('returns numbers for symbols fixed through the batch option', async () => {
    const shapes = await inferShapes(mlp(), { batch: { batch: 64 } });
    assert.deepEqual(shapes.get('x'), [64, 4]);
    assert.deepEqual(shapes.get('logits'), [64, 3]);
  });

  test('traces a symbol tied to another (groups = batch / 2) instead of losing both', async () => {
    // z [batch, 4] is regrouped to [groups, 2, 4] and multiplied with w [groups, 2, 1]: the two batch
    // symbols must agree, so distinct probe sizes fail unless `derived` ties them.
    const model = makeModel({
      inputs: [{ name: 'x', shape: ['batch', 4] }, { name: 'w', shape: ['groups', 2, 1] }],
      outputs: [{ name: 'y' }],
      initializers: [makeTensor('shape', I64, [3], [-1n, 2n, 4n])],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['z'] },
        { op: 'Reshape', inputs: ['z', 'shape'], outputs: ['g'] },
        { op: 'Mul', inputs: ['g', 'w'], outputs: ['y'] },
      ],
    });
    const untied = await inferShapes(model, { multiples: { batch: 2 } });
    assert.deepEqual(untied.get('z'), [null, 4]);
    const tied = await inferShapes(model, {
      multiples: { batch: 2 }, derived: { groups: { from: 'batch', divide: 2 } },
    });
    assert.deepEqual(tied.get('z'), ['batch', 4]);
    assert.deepEqual(tied.get('y'), ['groups', 2, 4]);
  });

  test('tells two symbols apart and marks a product of them as unknown', async () => {
    const model = makeModel({
      inputs: [{ name: 'tokens', elemType: I64, shape: ['batch', 'seq'] }],
      outputs: [{ name: 'flat' }],
      initializers: [makeTensor('E', F, [10, 6], seq(60)), makeTensor('shape', I64, [2], [-1, 6])],
      nodes: [
        { op: 'Gather', inputs: ['E', 'tokens'], outputs: ['emb'] },
        { op: 'Transpose', inputs: ['emb'], outputs: ['t'], attrs: { perm: [1, 0, 2] } },
        { op: 'Reshape', inputs: ['t', 'shape'], outputs: ['flat'] },
        { op: 'Shape', inputs: ['t'], outputs: ['tshape'] },
      ],
    });
    const info = await inferTensorInfo(model);
    assert.deepEqual(info.get('emb')?.shape, ['batch', 'seq', 6]);
    assert.deepEqual(info.get('t')?.shape, ['seq', 'batch', 6]);
    assert.deepEqual(info.get('flat')?.shape, [null, 6]);
    assert.deepEqual(info.get('tshape')?.shape, [3]);
    assert.equal(info.get('tshape')?.elemType, I64);
    assert.equal(info.get('emb')?.elemType, F);
  });

  test('measures fully static models with one run, including Constant node outputs', async () => {
    const model = makeModel({
      inputs: [{ name: 'x', shape: [2, 3] }],
      outputs: [{ name: 'y' }],
      nodes: [
        {
          op: 'Constant', inputs: [], outputs: ['c'],
          attrs: { value: { type: 'tensor', value: makeTensor('c', F, [3], [1, 2, 3]) } },
        },
        { op: 'Mul', inputs: ['x', 'c'], outputs: ['m'] },
        { op: 'ReduceSum', inputs: ['m'], outputs: ['y'], attrs: { keepdims: 0 } },
      ],
    });
    const shapes = await inferShapes(model);
    assert.deepEqual(shapes.get('c'), [3]);
    assert.deepEqual(shapes.get('m'), [2, 3]);
    assert.deepEqual(shapes.get('y'), []);
  });

  test('falls back to one probe size when the model ties two symbols together', async () => {
    const model = makeModel({
      inputs: [{ name: 'a', shape: ['n', 4] }, { name: 'b', shape: ['m', 4] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['y'] }],
    });
    const shapes = await inferShapes(model);
    assert.deepEqual(shapes.get('y'), [null, 4]);
  });

  test('rejects a graph input of unknown rank, naming it', async () => {
    const model = makeModel({
      inputs: [{ name: 'x' }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    });
    await assert.rejects(inferShapes(model), /graph input 'x' has no declared shape/);
  });
});
