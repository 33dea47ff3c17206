import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGradient } from './checkGradient';
import { differentiate } from '../../../src/core/autodiff/differentiate';
import { AutodiffError, UnsupportedOpError } from '../../../src/core/autodiff/errors';
import { findGradientRule, gradientRules, supportedGradientOps } from '../../../src/core/autodiff/registry';
import { DataType, type Dim, type Graph } from '../../../src/core/onnx/ir';
import { makeGraph, type NodeSpec } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { inferShapes } from '../../../src/core/runtime/inferShapes';
import { makeModel } from '../../../src/core/onnx/makeModel';

type Built = { graph: Graph; shapes: Map<string, Dim[]> };

/** A float32 graph over inputs `x` [2,3] and `z` [2,3] plus initializer `w` [3,3]; shapes inferred by onnxruntime. */
async function build(nodes: NodeSpec[], outputs: string[] = ['loss']): Promise<Built> {
  const spec = {
    opset: 18,
    inputs: [{ name: 'x', shape: [2, 3] }, { name: 'z', shape: [2, 3] }],
    outputs: outputs.map((name) => ({ name })),
    nodes,
    initializers: [makeTensor('w', DataType.FLOAT, [3, 3], Array.from({ length: 9 }, (_, i) => i / 9))],
  };
  const shapes = await inferShapes(makeModel(spec)).catch(() => new Map<string, Dim[]>());
  return { graph: makeGraph(spec), shapes };
}

const opts = (shapes: Map<string, Dim[]>, wrt: string[]) =>
  ({ loss: 'loss', wrt, shapes, floatType: DataType.FLOAT, opset: 18 });
const backward = (g: Graph, forwardCount: number) => g.nodes.slice(forwardCount);

describe('differentiate', () => {
  test('sums the gradients of an initializer shared by several nodes', async () => {
    await checkGradient({
      inputs: { x: { shape: [3, 3] }, w: { shape: [3, 3] } },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Tanh', inputs: ['h'], outputs: ['a'] },
        { op: 'MatMul', inputs: ['a', 'w'], outputs: ['b'] },
        { op: 'Mul', inputs: ['b', 'w'], outputs: ['y'] },
      ],
    });
    const { graph, shapes } = await build([
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
      { op: 'MatMul', inputs: ['h', 'w'], outputs: ['b'] },
      { op: 'ReduceSum', inputs: ['b'], outputs: ['loss'], attrs: { keepdims: 0 } },
    ]);
    const out = differentiate(graph, opts(shapes, ['w']));
    const sums = backward(out.graph, 3).filter((n) => n.opType === 'Sum');
    assert.equal(sums.length, 1);
    assert.equal(sums[0]!.inputs.length, 2);
  });

  test('gives a gradient for a tensor used twice by the same node', () =>
    checkGradient({ inputs: { x: { shape: [2, 3] } }, nodes: [{ op: 'Mul', inputs: ['x', 'x'], outputs: ['y'] }] }));

  test('differentiates a chain with broadcasting, softmax and a reduction', () =>
    checkGradient({
      inputs: { x: { shape: [4, 3] }, w: { shape: [3, 5] }, b: { shape: [5] }, s: { shape: [] } },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Add', inputs: ['h', 'b'], outputs: ['hb'] },
        { op: 'Mul', inputs: ['hb', 's'], outputs: ['hs'] },
        { op: 'LogSoftmax', inputs: ['hs'], outputs: ['ls'] },
        { op: 'ReduceMean', inputs: ['ls'], outputs: ['y'], attrs: { keepdims: 0 } },
      ],
    }));

  test('emits no backward nodes for branches that do not lead to the loss', async () => {
    const main: NodeSpec[] = [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
      { op: 'ReduceSum', inputs: ['h'], outputs: ['loss'], attrs: { keepdims: 0 } },
    ];
    const side: NodeSpec[] = [
      { op: 'Exp', inputs: ['h'], outputs: ['side'] },
      { op: 'Sigmoid', inputs: ['z'], outputs: ['zs'] },
      { op: 'Tanh', inputs: ['side'], outputs: ['side2'] },
    ];
    const plain = await build(main);
    const branched = await build([main[0]!, side[0]!, side[1]!, main[1]!, side[2]!], ['loss', 'side2', 'zs']);
    const a = backward(differentiate(plain.graph, opts(plain.shapes, ['w'])).graph, 2);
    const b = backward(differentiate(branched.graph, opts(branched.shapes, ['w'])).graph, 5);
    assert.deepEqual(b.map((n) => n.opType), a.map((n) => n.opType));
    assert.ok(b.every((n) => !n.inputs.some((i) => ['side', 'side2', 'zs', 'z'].includes(i))));
  });

  test('does not differentiate paths that start from tensors outside wrt', async () => {
    const { graph, shapes } = await build([
      { op: 'Sigmoid', inputs: ['z'], outputs: ['zs'] },
      { op: 'Mul', inputs: ['x', 'zs'], outputs: ['m'] },
      { op: 'ReduceSum', inputs: ['m'], outputs: ['loss'], attrs: { keepdims: 0 } },
    ]);
    const out = differentiate(graph, opts(shapes, ['x']));
    const ops = backward(out.graph, 3).map((n) => n.opType);
    assert.ok(!ops.includes('Sub'), `Sigmoid was differentiated: ${ops.join(', ')}`);
    assert.ok(!backward(out.graph, 3).some((n) => n.inputs.includes('x')), 'the gradient for zs was computed');
  });

  test('passes through non-differentiable shape computations on the path', () =>
    checkGradient({
      inputs: { x: { shape: [2, 3, 2] } },
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Tanh', inputs: ['x'], outputs: ['t'] },
        { op: 'Reshape', inputs: ['t', 's'], outputs: ['y'] },
      ],
    }));

  test('refuses an op without a rule on the path, naming the op and the node', async () => {
    const { graph, shapes } = await build([
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
      { op: 'Atan', inputs: ['h'], outputs: ['a'], name: 'my_atan' },
      { op: 'Acos', inputs: ['a'], outputs: ['c'], name: 'the_acos' },
      { op: 'ReduceSum', inputs: ['c'], outputs: ['loss'], attrs: { keepdims: 0 } },
    ]);
    assert.throws(() => differentiate(graph, opts(shapes, ['w'])), (e: unknown) => {
      assert.ok(e instanceof UnsupportedOpError);
      assert.equal(e.name, 'UnsupportedOpError');
      assert.deepEqual(e.nodes.map((n) => [n.op, n.node]), [['Acos', 'the_acos'], ['Atan', 'my_atan']]);
      assert.equal(e.opset, 18);
      assert.ok(e.supported.includes('MatMul'));
      assert.match(e.message, /'Atan' \(node 'my_atan'\)/);
      assert.match(e.message, /'Acos' \(node 'the_acos'\)/);
      return true;
    });
  });

  test('needs no rule for masks, shapes and positions off the weight path (causal attention)', async () => {
    // Shape, ConstantOfShape, Trilu, Equal, Range and Atan/Sin of positions feed the loss but no weight
    // reaches them; Trilu and Atan have no gradient rule at all.
    const int64 = (v: number) => ({ type: 'tensor' as const, value: makeTensor('', DataType.INT64, [1], [v]) });
    await checkGradient({
      inputs: {
        x: { shape: [2, 3] }, w: { shape: [3, 3] }, big: { shape: [], values: [-1e4], wrt: false },
        zero: { shape: [], type: 'int64', values: [0] }, one: { shape: [], type: 'int64', values: [1] },
      },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'MatMul', inputs: ['h', 'w'], outputs: ['k'] },
        { op: 'Transpose', inputs: ['h'], outputs: ['ht'], attrs: { perm: [1, 0] } },
        { op: 'MatMul', inputs: ['ht', 'k'], outputs: ['scores'] },
        { op: 'Shape', inputs: ['scores'], outputs: ['size'] },
        { op: 'ConstantOfShape', inputs: ['size'], outputs: ['ones'], attrs: { value: int64(1) } },
        { op: 'Trilu', inputs: ['ones'], outputs: ['lower'], attrs: { upper: 0 } },
        { op: 'Equal', inputs: ['lower', 'zero'], outputs: ['future'] },
        { op: 'Where', inputs: ['future', 'big', 'scores'], outputs: ['masked'] },
        { op: 'Softmax', inputs: ['masked'], outputs: ['p'] },
        { op: 'Gather', inputs: ['size', 'one'], outputs: ['n'], attrs: { axis: 0 } },
        { op: 'Range', inputs: ['zero', 'n', 'one'], outputs: ['positions'] },
        { op: 'Cast', inputs: ['positions'], outputs: ['pf'], attrs: { to: DataType.FLOAT } },
        { op: 'Atan', inputs: ['pf'], outputs: ['angle'] }, // float32: onnxruntime has no float64 Atan
        { op: 'Cast', inputs: ['angle'], outputs: ['wide'], attrs: { to: DataType.DOUBLE } },
        { op: 'Sin', inputs: ['wide'], outputs: ['encoding'] },
        { op: 'Add', inputs: ['p', 'encoding'], outputs: ['y'] },
      ],
    });
  });

  test('accepts an op without a rule when it is off the path', async () => {
    const { graph, shapes } = await build([
      { op: 'Atan', inputs: ['z'], outputs: ['a'] },
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
      { op: 'Mul', inputs: ['h', 'a'], outputs: ['m'] },
      { op: 'Acos', inputs: ['h'], outputs: ['unused'] },
      { op: 'ReduceSum', inputs: ['m'], outputs: ['loss'], attrs: { keepdims: 0 } },
    ]);
    assert.ok(differentiate(graph, opts(shapes, ['w'])).gradients.has('w'));
  });

  test('rejects a rule that returns the wrong number of gradients', async () => {
    const { graph, shapes } = await build([
      { op: 'Mul', inputs: ['x', 'z'], outputs: ['m'], name: 'the_mul' },
      { op: 'ReduceSum', inputs: ['m'], outputs: ['loss'], attrs: { keepdims: 0 } },
    ]);
    const bad = { Mul: { rule: (_n: unknown, [dY]: (string | null)[]) => [dY!] } };
    assert.throws(() => differentiate(graph, { ...opts(shapes, ['x']), rules: bad }), (e: unknown) =>
      e instanceof AutodiffError && /returned 1 results for node 'the_mul', which has 2 inputs/.test(e.message));
  });

  test('gives zeros for a wrt tensor the loss does not depend on, and distinct names per gradient', async () => {
    const { graph, shapes } = await build([
      { op: 'Add', inputs: ['x', 'z'], outputs: ['s'] },
      { op: 'ReduceSum', inputs: ['s'], outputs: ['loss'], attrs: { keepdims: 0 } },
    ]);
    const out = differentiate(graph, opts(shapes, ['x', 'z', 'w']));
    const names = [...out.gradients.values()];
    assert.equal(new Set(names).size, 3);
    const wGrad = out.graph.nodes.find((n) => n.outputs.includes(out.gradients.get('w')!))!;
    assert.ok(['Expand', 'Identity'].includes(wGrad.opType));
  });

  test('names the missing tensor when loss or wrt is not in the graph', async () => {
    const { graph, shapes } = await build(
      [{ op: 'ReduceSum', inputs: ['x'], outputs: ['loss'], attrs: { keepdims: 0 } }]);
    assert.throws(() => differentiate(graph, { ...opts(shapes, ['x']), loss: 'nope' }), /loss tensor 'nope'/);
    assert.throws(() => differentiate(graph, opts(shapes, ['ghost'])), /'ghost'/);
  });

  test('seeds a non-scalar loss with ones', () =>
    checkGradient({ inputs: { x: { shape: [2, 3] } }, nodes: [{ op: 'Exp', inputs: ['x'], outputs: ['y'] }] }));

  test('does not modify the forward graph it is given', async () => {
    const { graph, shapes } = await build([
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
      { op: 'ReduceSum', inputs: ['h'], outputs: ['loss'], attrs: { keepdims: 0 } },
    ]);
    const before = { nodes: graph.nodes.length, inits: graph.initializers.size };
    const out = differentiate(graph, opts(shapes, ['w']));
    assert.deepEqual({ nodes: graph.nodes.length, inits: graph.initializers.size }, before);
    assert.ok(out.graph.nodes.length > before.nodes);
    assert.deepEqual(out.graph.nodes.slice(0, 2), graph.nodes);
  });
});

describe('gradient registry', () => {
  test('picks the opset variant of a rule', () => {
    assert.equal(findGradientRule('ReduceSum', '', 11), gradientRules['ReduceSum']);
    assert.equal(findGradientRule('ReduceSum', '', 13), gradientRules['ReduceSum_13']);
    assert.equal(findGradientRule('ReduceSum', 'ai.onnx', 21), gradientRules['ReduceSum_13']);
    assert.equal(findGradientRule('ReduceMean', '', 17), gradientRules['ReduceMean']);
    assert.equal(findGradientRule('ReduceMean', '', 18), gradientRules['ReduceMean_18']);
    assert.equal(findGradientRule('Relu', 'com.microsoft', 18), undefined);
    assert.equal(findGradientRule('Atan', '', 18), undefined);
  });

  test('lists supported ops once each, sorted, without opset suffixes', () => {
    const ops = supportedGradientOps();
    assert.deepEqual(ops, [...ops].sort());
    assert.equal(new Set(ops).size, ops.length);
    for (const op of ['Gemm', 'MatMul', 'ReduceSum', 'Softmax', 'Shape', 'Constant']) assert.ok(ops.includes(op), op);
    assert.ok(!ops.some((o) => /_\d+$/.test(o)));
  });
});
