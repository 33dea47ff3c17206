import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { reinitialiseModel } from '../../../src/core/protocol/reinitialiseModel';

const filled = (name: string, dims: number[], v: number) =>
  makeTensor(name, 1, dims, new Array(dims.reduce((a, b) => a * b, 1)).fill(v));

/** Trained-looking weights (all 0.5) in every layout the control has to read. */
function layouts() {
  return makeModel({
    inputs: [
      { name: 'x', shape: ['N', 64] }, { name: 'img', shape: ['N', 3, 8, 8] },
      { name: 'tok', shape: ['N'], elemType: 7 },
    ],
    outputs: [{ name: 'y', shape: null }, { name: 'c', shape: null }, { name: 'e', shape: null }],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'mm.weight'], outputs: ['h0'] },
      { op: 'Add', inputs: ['h0', 'mm.bias'], outputs: ['h1'] },
      { op: 'LayerNormalization', inputs: ['h1', 'ln.weight', 'ln.bias'], outputs: ['h2'] },
      { op: 'Gemm', inputs: ['h2', 'fc.weight', 'fc.bias'], outputs: ['h3'], attrs: { transB: 1 } },
      { op: 'Gemm', inputs: ['h3', 'plain.weight'], outputs: ['h4'] },
      { op: 'Transpose', inputs: ['t.weight'], outputs: ['tT'], attrs: { perm: [1, 0] } },
      { op: 'MatMul', inputs: ['h4', 'tT'], outputs: ['h5'] },
      { op: 'Add', inputs: ['h5', 'causal'], outputs: ['y'] },
      { op: 'Conv', inputs: ['img', 'conv.weight', 'conv.bias'], outputs: ['c0'] },
      { op: 'BatchNormalization', inputs: ['c0', 'bn.weight', 'bn.bias', 'bn.mean', 'bn.var'], outputs: ['c'] },
      { op: 'Gather', inputs: ['emb.weight', 'tok'], outputs: ['e'] },
    ],
    initializers: [
      filled('mm.weight', [64, 512], 0.5), filled('mm.bias', [512], 0.5),
      filled('ln.weight', [512], 0.5), filled('ln.bias', [512], 0.5),
      filled('fc.weight', [256, 512], 0.5), filled('fc.bias', [256], 0.5), filled('plain.weight', [256, 128], 0.5),
      filled('t.weight', [300, 128], 0.5), makeTensor('causal', 1, [2, 2], [0, -Infinity, 0, 0]),
      filled('conv.weight', [32, 3, 5, 5], 0.5), filled('conv.bias', [32], 0.5),
      ...['bn.weight', 'bn.bias', 'bn.mean', 'bn.var'].map((n) => filled(n, [32], 0.5)),
      filled('emb.weight', [1000, 16], 0.5),
    ],
  });
}

const sd = (a: Float32Array) => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
};

describe('reinitialiseModel', () => {
  const model = layouts();
  const fresh = reinitialiseModel(model, 3);
  const data = (name: string) => fresh.graph.initializers.get(name)!.data as Float32Array;

  test('draws weights from N(0, 2/fan_in) with the fan-in of each layout', () => {
    // MatMul B [in, out]: 64. Gemm transB [out, in]: 512. Gemm without transB [in, out]: 256.
    // Transposed into MatMul: t.weight [300, 128] is read as [128, 300], so in = 128. Conv [out, in, kh, kw]: 3·5·5.
    const fanIn: Record<string, number> = {
      'mm.weight': 64, 'fc.weight': 512, 'plain.weight': 256, 't.weight': 128, 'conv.weight': 75,
    };
    for (const [name, n] of Object.entries(fanIn)) {
      const got = sd(data(name));
      assert.ok(Math.abs(got / Math.sqrt(2 / n) - 1) < 0.06, `${name}: sd ${got}, want ${Math.sqrt(2 / n)}`);
    }
    assert.ok(Math.abs(sd(data('emb.weight')) - 1) < 0.03, 'embeddings are N(0, 1), not a fan-in layer');
  });

  test('sets biases and shifts to 0, normalisation scales and variances to 1, keeps constants', () => {
    for (const name of ['mm.bias', 'ln.bias', 'fc.bias', 'conv.bias', 'bn.bias', 'bn.mean']) {
      assert.ok(data(name).every((v) => v === 0), name);
    }
    for (const name of ['ln.weight', 'bn.weight', 'bn.var']) assert.ok(data(name).every((v) => v === 1), name);
    assert.deepEqual(Array.from(data('causal')), [0, -Infinity, 0, 0]);
    assert.ok(!data('mm.weight').some((v) => v === 0.5), 'no trained value survives');
  });

  test('is seeded and leaves the original model untouched', () => {
    assert.deepEqual(reinitialiseModel(model, 3).graph.initializers.get('fc.weight')!.data, data('fc.weight'));
    assert.notDeepEqual(reinitialiseModel(model, 4).graph.initializers.get('fc.weight')!.data, data('fc.weight'));
    assert.ok((model.graph.initializers.get('fc.weight')!.data as Float32Array).every((v) => v === 0.5));
  });
});
