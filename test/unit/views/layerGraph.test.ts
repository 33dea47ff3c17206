import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLayerGraph, GROUP_ID_PREFIX } from '../../../src/core/views/layerGraph';
import { isMaskable } from '../../../src/core/masks/isMaskable';
import { inferShapes } from '../../../src/core/runtime/inferShapes';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { DataType } from '../../../src/core/onnx/ir';

const F = DataType.FLOAT;
const I64 = DataType.INT64;
const w = (name: string, dims: number[]) =>
  makeTensor(name, F, dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i)));

function mlp() {
  return makeModel({
    inputs: [{ name: 'x', shape: ['N', 4] }],
    outputs: [{ name: 'y', shape: ['N', 3] }],
    initializers: [w('fc1.weight', [5, 4]), w('fc1.bias', [5]), w('fc2.weight', [3, 5]), w('fc2.bias', [3])],
    nodes: [
      { op: 'Gemm', inputs: ['x', 'fc1.weight', 'fc1.bias'], outputs: ['h'], name: '/fc1/Gemm', attrs: { transB: 1 } },
      { op: 'Relu', inputs: ['h'], outputs: ['r'], name: '/act/Relu' },
      { op: 'Gemm', inputs: ['r', 'fc2.weight', 'fc2.bias'], outputs: ['y'], name: '/fc2/Gemm', attrs: { transB: 1 } },
    ],
  });
}

describe('buildLayerGraph', () => {
  test('folds the weights of an MLP into its op nodes and links activations', async () => {
    const model = mlp();
    const view = buildLayerGraph(model, await inferShapes(model));
    assert.deepEqual(view.nodes.map((n) => n.opType), ['Input', 'Gemm', 'Relu', 'Gemm', 'Output']);
    const fc1 = view.nodes.find((n) => n.id === '/fc1/Gemm')!;
    assert.deepEqual(fc1.parameters.map((p) => [p.name, p.count, p.maskable]),
      [['fc1.weight', 20, true], ['fc1.bias', 5, false]]);
    assert.equal(fc1.parameterCount, 25);
    assert.equal(fc1.label, 'Gemm');
    assert.equal(fc1.attributes.transB, '1');
    assert.deepEqual(fc1.outputs[0]!.shape, ['N', 5]);
    assert.deepEqual(view.edges.map((e) => [e.source, e.target, e.tensor]), [
      ['input:x', '/fc1/Gemm', 'x'], ['/fc1/Gemm', '/act/Relu', 'h'], ['/act/Relu', '/fc2/Gemm', 'r'],
      ['/fc2/Gemm', 'output:y', 'y'],
    ]);
    assert.deepEqual(view.edges[1]!.shape, ['N', 5]);
    assert.equal(view.model.parameterCount, 20 + 5 + 15 + 3);
    assert.equal(view.model.maskableCount, 2);
    assert.equal(view.model.maskableParameterCount, 35);
    assert.ok(!view.nodes.some((n) => n.id.includes('weight')), 'weights are not separate nodes');
  });

  test('folds Constant nodes and Identity chains of initializers, keeping the initializer name', () => {
    const model = makeModel({
      inputs: [{ name: 'x', shape: [2, 4] }], outputs: [{ name: 'y' }],
      initializers: [w('W', [4, 4]), makeTensor('shape', I64, [2], [2, -1])],
      nodes: [
        { op: 'Identity', inputs: ['W'], outputs: ['W_id'] },
        { op: 'Identity', inputs: ['W_id'], outputs: ['W_id2'] },
        { op: 'Constant', inputs: [], outputs: ['scale'],
          attrs: { value: { type: 'tensor', value: w('scale', [4]) } } },
        { op: 'MatMul', inputs: ['x', 'W_id2'], outputs: ['m'], name: 'mm' },
        { op: 'Mul', inputs: ['m', 'scale'], outputs: ['s'], name: 'mul' },
        { op: 'Reshape', inputs: ['s', 'shape'], outputs: ['y'], name: 'reshape' },
      ],
    });
    const view = buildLayerGraph(model);
    assert.deepEqual(view.nodes.map((n) => n.id), ['input:x', 'mm', 'mul', 'reshape', 'output:y']);
    const mm = view.nodes.find((n) => n.id === 'mm')!;
    assert.deepEqual(mm.parameters, [{ name: 'W', alias: 'W_id2', shape: [4, 4], dataType: 'float', count: 16,
      maskable: true, source: 'initializer' }]);
    const mul = view.nodes.find((n) => n.id === 'mul')!;
    assert.equal(mul.parameters[0]!.source, 'constant');
    assert.equal(mul.parameters[0]!.maskable, false, 'constants are not initializers, so they cannot be masked');
    const reshape = view.nodes.find((n) => n.id === 'reshape')!;
    assert.equal(reshape.parameterCount, 0, 'int64 shape tensors are not parameters');
    assert.equal(reshape.parameters[0]!.name, 'shape');
    assert.equal(view.model.parameterCount, 16 + 4);
    assert.deepEqual(view.edges.map((e) => e.tensor), ['x', 'm', 's', 'y']);
  });

  test('builds nested name-scope groups with node and parameter counts', () => {
    const model = makeModel({
      inputs: [{ name: 'x', shape: [1, 4] }], outputs: [{ name: 'y' }],
      initializers: [w('q', [4, 4]), w('k', [4, 4])],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'q'], outputs: ['a'], name: '/encoder/layer.0/attn/q/MatMul' },
        { op: 'MatMul', inputs: ['a', 'k'], outputs: ['b'], name: '/encoder/layer.0/attn/k/MatMul' },
        { op: 'Relu', inputs: ['b'], outputs: ['c'], name: '/encoder/layer.0/Relu' },
        { op: 'Relu', inputs: ['c'], outputs: ['y'], name: 'head' },
      ],
    });
    const view = buildLayerGraph(model);
    const g = Object.fromEntries(view.groups.map((x) => [x.id.slice(GROUP_ID_PREFIX.length), x]));
    assert.deepEqual(Object.keys(g).sort(),
      ['/encoder', '/encoder/layer.0', '/encoder/layer.0/attn', '/encoder/layer.0/attn/k', '/encoder/layer.0/attn/q']);
    assert.equal(g['/encoder']!.nodeCount, 3);
    assert.equal(g['/encoder']!.parameterCount, 32);
    assert.equal(g['/encoder/layer.0/attn']!.parent, `${GROUP_ID_PREFIX}/encoder/layer.0`);
    assert.equal(g['/encoder']!.parent, undefined);
    assert.equal(g['/encoder/layer.0/attn/q']!.label, 'q');
    assert.equal(view.nodes.find((n) => n.id === '/encoder/layer.0/Relu')!.group, `${GROUP_ID_PREFIX}/encoder/layer.0`);
    assert.equal(view.nodes.find((n) => n.id === 'head')!.group, undefined);
  });

  test('makes repeated node names unique', () => {
    const model = makeModel({
      inputs: [{ name: 'x', shape: [2] }], outputs: [{ name: 'y' }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['a'], name: 'same' },
        { op: 'Relu', inputs: ['a'], outputs: ['y'], name: 'same' },
      ],
    });
    const view = buildLayerGraph(model);
    assert.deepEqual(view.nodes.map((n) => n.id), ['input:x', 'same', 'same#2', 'output:y']);
    assert.deepEqual(view.edges.map((e) => [e.source, e.target]),
      [['input:x', 'same'], ['same', 'same#2'], ['same#2', 'output:y']]);
  });

  test('draws a CNN and an attention block with the expected parameter counts', () => {
    const cnn = makeModel({
      inputs: [{ name: 'img', shape: ['N', 1, 8, 8] }], outputs: [{ name: 'logits' }],
      initializers: [w('conv.w', [4, 1, 3, 3]), w('conv.b', [4]), w('fc.w', [16, 10]),
        makeTensor('flat', I64, [2], [0, -1])],
      nodes: [
        { op: 'Conv', inputs: ['img', 'conv.w', 'conv.b'], outputs: ['c'], name: '/conv/Conv',
          attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Relu', inputs: ['c'], outputs: ['r'], name: '/Relu' },
        { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['p'], name: '/pool/GlobalAveragePool' },
        { op: 'Reshape', inputs: ['p', 'flat'], outputs: ['f'], name: '/Reshape' },
        { op: 'MatMul', inputs: ['f', 'fc.w'], outputs: ['logits'], name: '/fc/MatMul' },
      ],
    });
    const v = buildLayerGraph(cnn);
    assert.equal(v.model.parameterCount, 36 + 4 + 160);
    assert.deepEqual(v.nodes.filter((n) => n.parameters.some((p) => p.maskable)).map((n) => n.id),
      ['/conv/Conv', '/fc/MatMul']);

    const attn = makeModel({
      inputs: [{ name: 'x', shape: ['B', 'T', 8] }], outputs: [{ name: 'out' }],
      initializers: [w('Wq', [8, 8]), w('Wk', [8, 8]), w('Wv', [8, 8]), w('ln.g', [8]), w('ln.b', [8])],
      nodes: [
        { op: 'LayerNormalization', inputs: ['x', 'ln.g', 'ln.b'], outputs: ['n'], name: '/ln/LayerNormalization',
          attrs: { axis: -1 } },
        { op: 'MatMul', inputs: ['n', 'Wq'], outputs: ['q'], name: '/attn/q/MatMul' },
        { op: 'MatMul', inputs: ['n', 'Wk'], outputs: ['k'], name: '/attn/k/MatMul' },
        { op: 'MatMul', inputs: ['n', 'Wv'], outputs: ['v'], name: '/attn/v/MatMul' },
        { op: 'Transpose', inputs: ['k'], outputs: ['kt'], name: '/attn/Transpose', attrs: { perm: [0, 2, 1] } },
        { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['s'], name: '/attn/MatMul' },
        { op: 'Softmax', inputs: ['s'], outputs: ['p'], name: '/attn/Softmax', attrs: { axis: -1 } },
        { op: 'MatMul', inputs: ['p', 'v'], outputs: ['o'], name: '/attn/MatMul_1' },
        { op: 'Add', inputs: ['x', 'o'], outputs: ['out'], name: '/Add' },
      ],
    });
    const a = buildLayerGraph(attn);
    assert.equal(a.model.parameterCount, 3 * 64 + 16);
    assert.equal(a.model.maskableCount, 3);
    const ln = a.nodes.find((n) => n.opType === 'LayerNormalization')!;
    assert.equal(a.edges.filter((e) => e.source === ln.id).length, 3, 'the normalised tensor feeds q, k and v');
    assert.equal(a.edges.filter((e) => e.source === 'input:x').length, 2, 'x feeds the norm and the residual add');
  });

  test('handles a 2,000-node graph in well under a second', () => {
    const n = 2000;
    const inits = [w('W', [16, 16])];
    const nodes = Array.from({ length: n }, (_, i) => ({
      op: i % 2 ? 'Relu' : 'MatMul', inputs: i % 2 ? [`t${i}`] : [`t${i}`, 'W'], outputs: [`t${i + 1}`],
      name: `/block${Math.floor(i / 20)}/layer${i % 20}/op`,
    }));
    const model = makeModel(
      { inputs: [{ name: 't0', shape: [1, 16] }], outputs: [{ name: `t${n}` }], initializers: inits, nodes });
    const t0 = performance.now();
    const view = buildLayerGraph(model);
    const ms = performance.now() - t0;
    assert.equal(view.nodes.length, n + 2);
    assert.equal(view.edges.length, n + 1);
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
  });
});

describe('isMaskable', () => {
  test('accepts float tensors of rank two or more and rejects biases, integers and scalars', () => {
    assert.equal(isMaskable({ dataType: F, dims: [3, 4] }), true);
    assert.equal(isMaskable({ dataType: DataType.FLOAT16, dims: [3, 4, 1, 1] }), true);
    assert.equal(isMaskable({ dataType: F, dims: [4] }), false);
    assert.equal(isMaskable({ dataType: F, dims: [] }), false);
    assert.equal(isMaskable({ dataType: I64, dims: [3, 4] }), false);
    assert.equal(isMaskable({ dataType: F, dims: [4] }, { minRank: 1 }), true);
  });
});
