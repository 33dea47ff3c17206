import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSession, ort } from '../../../src/core/runtime/session';
import { makeVisionModel } from '../../../src/core/tasks/makeVisionModel';
import { makeLanguageModel } from '../../../src/core/tasks/makeLanguageModel';
import { makeVisionProblems } from '../../../src/core/tasks/makeVisionProblems';
import { makeLanguageProblems } from '../../../src/core/tasks/makeLanguageProblems';
import { VOCAB } from '../../../src/core/tasks/agreementGrammar';
import { Rng } from '../../../src/core/util/random';
import type { Model } from '../../../src/core/onnx/ir';

/** Ops the engine's autodiff differentiates (issue 5's list). */
const TRAINABLE_OPS = new Set([
  'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'Sigmoid', 'Tanh', 'Erf', 'Softmax', 'Exp', 'Log',
  'Sqrt', 'Pow', 'Neg', 'Identity', 'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Concat', 'Slice',
  'Gather', 'Expand', 'Where', 'Cast', 'ReduceMean', 'ReduceSum', 'LayerNormalization', 'InstanceNormalization',
  'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
]);

/** Float weights of rank ≥ 2: what a spec without `mask.include` masks. */
function maskableCount(model: Model): number {
  let n = 0;
  for (const t of model.graph.initializers.values()) if (t.dataType === 1 && t.dims.length >= 2) n += t.data.length;
  return n;
}
function floatCount(model: Model): number {
  let n = 0;
  for (const t of model.graph.initializers.values()) if (t.dataType === 1) n += t.data.length;
  return n;
}

function checkStructure(model: Model, name: string, [least, most]: [number, number]): void {
  for (const node of model.graph.nodes) {
    // Constants (the vision model's non-affine norm scale and bias) need no gradient.
    const trainable = TRAINABLE_OPS.has(node.opType) || node.opType === 'Constant';
    assert.ok(trainable, `${name}: op ${node.opType} (${node.name}) is outside the trainable op list`);
    assert.match(node.name, /^\/[a-z0-9_]+\/.+/, `${name}: node name '${node.name}' is /-scoped`);
  }
  const uniqueNames = new Set(model.graph.nodes.map((n) => n.name)).size;
  assert.equal(uniqueNames, model.graph.nodes.length, `${name}: node names are unique`);
  const params = floatCount(model);
  assert.ok(params >= least && params <= most, `${name}: ${params} parameters`);
}

describe('built-in base models', () => {
  test('the vision ResNet uses trainable ops only, groups its nodes by scope '
    + 'and embeds images to z [N, 32]', async () => {
    const model = makeVisionModel({ seed: 0 });
    checkStructure(model, 'vision', [100_000, 300_000]);
    const set = makeVisionProblems('inside-contact', 'task', 3, new Rng(0));
    const session = await createSession(model, { threads: 1 });
    const x = set.inputs.x!;
    const out = await session.run({ x: new ort.Tensor('float32', x.data as Float32Array, [12, ...x.shape.slice(2)]) });
    assert.deepEqual(out.z!.dims, [12, 32]);
    const z = out.z!.data as Float32Array;
    assert.ok(z.every(Number.isFinite));
    assert.notDeepEqual(z.subarray(0, 32), z.subarray(32, 64), 'different images get different embeddings');
    await session.release();
  });

  test('the language transformer uses trainable ops only and embeds token ids to z [N, 32]', async () => {
    const model = makeLanguageModel({ seed: 0 });
    checkStructure(model, 'language', [20_000, 100_000]);
    assert.equal(model.graph.initializers.get('embed.tokens.weight')!.dims[0], VOCAB.length);
    const set = makeLanguageProblems('agreement', 'task', 3, new Rng(0));
    const session = await createSession(model, { threads: 1 });
    const out = await session.run({ x: new ort.Tensor('int64', set.inputs.x!.data as BigInt64Array, [12, 14]) });
    assert.deepEqual(out.z!.dims, [12, 32]);
    const z = out.z!.data as Float32Array;
    assert.ok(z.every(Number.isFinite));
    assert.notDeepEqual(z.subarray(0, 32), z.subarray(32, 64));
    await session.release();
  });

  test('initial weights are fixed by the seed', () => {
    for (const make of [makeVisionModel, makeLanguageModel]) {
      const a = make({ seed: 5 }).graph.initializers;
      const b = make({ seed: 5 }).graph.initializers;
      const c = make({ seed: 6 }).graph.initializers;
      const first = [...a.keys()].find((k) => a.get(k)!.dims.length >= 2)!;
      assert.deepEqual(a.get(first)!.data, b.get(first)!.data);
      assert.notDeepEqual(a.get(first)!.data, c.get(first)!.data);
    }
  });

  test('He initialisation gives conv weights the expected spread', () => {
    const w = makeVisionModel({ seed: 1 }).graph.initializers.get('stage2.conv2.weight')!;
    const d = w.data as Float32Array;
    const std = Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);
    const fanIn = w.dims[1]! * 9;
    assert.ok(Math.abs(std / Math.sqrt(2 / fanIn) - 1) < 0.1, `std ${std} vs ${Math.sqrt(2 / fanIn)}`);
  });

  test('most parameters are maskable weight matrices', () => {
    for (const model of [makeVisionModel({ seed: 0 }), makeLanguageModel({ seed: 0 })]) {
      assert.ok(maskableCount(model) / floatCount(model) > 0.9);
    }
  });
});
