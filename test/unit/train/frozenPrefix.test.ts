// Masks on late layers train on cached activations of the frozen layers before them: the split must keep
// every masked weight after the cut, score and train exactly as the whole model does, and refuse to cache
// where a row's activations depend on the rows beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeVisionModel } from '../../../src/core/tasks/makeVisionModel';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { cacheFrozenPrefix, splitFrozenPrefix } from '../../../src/core/train/frozenPrefix';
import { buildTrainingGraph } from '../../../src/core/train/buildTrainingGraph';
import { Trainer, type FloatArray } from '../../../src/core/train/Trainer';
import { Evaluator } from '../../../src/core/train/Evaluator';
import { arrayData, type TrainingData } from '../../../src/core/train/TrainingData';
import type { HeadSpec } from '../../../src/core/train/lossHeads';
import type { Model } from '../../../src/core/onnx/ir';
import { Rng } from '../../../src/core/util/random';

const HEAD: HeadSpec = { type: 'odd-one-out', group: 4 };
const SIDE = 32;

function scenes(problems: number, seed: number): TrainingData {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: problems * 4 * SIDE * SIDE }, () => (rng.next() < 0.1 ? rng.next() : 0));
  const labels = Array.from({ length: problems }, () => Math.floor(rng.next() * 4));
  return arrayData({ x: { data: x, dims: [problems, 4, 1, SIDE, SIDE] } }, labels, 4);
}

const visionModel = () => makeVisionModel({ seed: 3, imageSize: SIDE, channels: [8, 16, 16], hidden: 16, embedDim: 8 });
const lateLayers = (model: Model) => [...model.graph.initializers.keys()]
  .filter((n) => /^(stage3|head)\./.test(n) && model.graph.initializers.get(n)!.dims.length >= 2);

async function trainMask(model: Model, masked: string[], data: TrainingData): Promise<Map<string, FloatArray>> {
  const tg = await buildTrainingGraph(model, {
    output: 'z', head: HEAD, tensors: masked, update: 'adam',
    target: { kind: 'mask', method: 'continuous-sparsification', lambda: 1e-4 },
  });
  const initial = new Map(tg.tensors.map((t) => [t.initializer,
    new Float32Array(t.shape.reduce((a, d) => a * d, 1)).fill(0.05) as FloatArray]));
  const trainer = await Trainer.create(tg, initial, 1);
  try {
    const res = await trainer.train(data, { epochs: 3, batch: 8, lr: 0.05, seed: 1, temperature: [1, 20] });
    return res.params;
  } finally {
    await trainer.release();
  }
}

test('late-layer masks: the frozen stem and stages run once, training and scores are unchanged', async () => {
  const model = visionModel();
  const masked = lateLayers(model);
  const split = splitFrozenPrefix(model, masked, 'z');
  assert.ok(split, 'a model masked only in its last stage and head has a frozen prefix');
  for (const name of masked) {
    assert.ok(split.suffix.graph.initializers.has(name), `${name} is after the cut`);
    assert.ok(!split.prefix.graph.initializers.has(name), `${name} is not before it`);
  }
  assert.ok([...split.prefix.graph.initializers.keys()].some((n) => n.startsWith('stem.')));

  const train = scenes(32, 1), test = scenes(24, 2);
  const cached = await cacheFrozenPrefix(split, [train, test], { model, head: HEAD, budgetBytes: 2 ** 26 });
  assert.ok(!('skipped' in cached), 'skipped' in cached ? cached.skipped : '');
  assert.deepEqual(cached.sets.map((s) => s.size), [32, 24]);

  const weights = new Map(masked.map((n) => [n, model.graph.initializers.get(n)!.data as Float32Array]));
  const scores = async (m: Model, data: TrainingData) => {
    const evaluator = await Evaluator.create(m, { output: 'z', head: HEAD, replaced: masked, threads: 1 });
    try { return await evaluator.evaluate(data, weights); } finally { await evaluator.release(); }
  };
  const whole = await scores(model, test), cut = await scores(cached.model, cached.sets[1]!);
  assert.equal(cut.accuracy, whole.accuracy);
  assert.ok(Math.abs(cut.loss - whole.loss) <= 1e-5 * Math.abs(whole.loss), `${cut.loss} vs ${whole.loss}`);

  const a = await trainMask(model, masked, train);
  const b = await trainMask(cached.model, masked, cached.sets[0]!);
  let worst = 0, moved = 0;
  for (const name of masked) {
    const x = a.get(name)!, y = b.get(name)!;
    for (let i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
      moved = Math.max(moved, Math.abs(x[i]! - 0.05));
    }
  }
  assert.ok(moved > 0.05, `the logits moved by ${moved} only`);
  assert.ok(worst < 1e-4, `mask logits after 12 steps differ by ${worst}`);
});

test('nothing is cut when the first layer is masked, and nothing cached when the frozen part mixes rows', async () => {
  const model = visionModel();
  const all = [...model.graph.initializers.keys()].filter((n) => model.graph.initializers.get(n)!.dims.length >= 2);
  assert.equal(splitFrozenPrefix(model, all, 'z'), undefined);

  // x − mean over the batch, then a masked Gemm: a row's activation depends on the other rows.
  const w = makeTensor('fc.weight', 1, [2, 3], Float32Array.from([1, 0, -1, 0.5, 0.5, 0.5]));
  const mixing = makeModel({
    inputs: [{ name: 'x', shape: ['N', 3] }], outputs: [{ name: 'y', shape: ['N', 2] }],
    nodes: [
      { op: 'ReduceMean', inputs: ['x'], outputs: ['mu'], attrs: { axes: [0], keepdims: 1 } },
      { op: 'Sub', inputs: ['x', 'mu'], outputs: ['centred'] },
      { op: 'Gemm', inputs: ['centred', 'fc.weight'], outputs: ['y'], attrs: { transB: 1 } },
    ],
    initializers: [w], opset: 17,
  });
  const split = splitFrozenPrefix(mixing, ['fc.weight'], 'y');
  assert.ok(split);
  const rng = new Rng(0);
  const data = arrayData({ x: { data: Float32Array.from({ length: 30 }, () => rng.normal()), dims: [10, 3] } },
    Array.from({ length: 10 }, (_, i) => i % 2));
  const cached = await cacheFrozenPrefix(split, [data], {
    model: mixing, head: { type: 'classify' }, budgetBytes: 2 ** 20,
  });
  assert.ok('skipped' in cached);
  assert.match(cached.skipped, /mixes the rows/);

  // x + its row's place in the batch (a Range over the batch, as exporters write for batch indices): every row
  // of the first problem alone matches, the last one does not.
  const placed = makeModel({
    inputs: [{ name: 'x', shape: ['N', 3] }], outputs: [{ name: 'y', shape: ['N', 2] }],
    nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['shape'] },
      { op: 'Gather', inputs: ['shape', 'zero'], outputs: ['n'] },
      { op: 'Range', inputs: ['zero', 'n', 'one'], outputs: ['place'] },
      { op: 'Cast', inputs: ['place'], outputs: ['placeF'], attrs: { to: 1 } },
      { op: 'Unsqueeze', inputs: ['placeF', 'one1d'], outputs: ['column'] },
      { op: 'Add', inputs: ['x', 'column'], outputs: ['shifted'] },
      { op: 'Gemm', inputs: ['shifted', 'fc.weight'], outputs: ['y'], attrs: { transB: 1 } },
    ],
    initializers: [w, makeTensor('zero', 7, [], BigInt64Array.from([0n])),
      makeTensor('one', 7, [], BigInt64Array.from([1n])), makeTensor('one1d', 7, [1], BigInt64Array.from([1n]))],
    opset: 17,
  });
  const placedSplit = splitFrozenPrefix(placed, ['fc.weight'], 'y')!;
  const refused = await cacheFrozenPrefix(placedSplit, [data], {
    model: placed, head: { type: 'classify' }, budgetBytes: 2 ** 20,
  });
  assert.ok('skipped' in refused);
  assert.match(refused.skipped, /mixes the rows/);
});

test('activations over the budget are not cached', async () => {
  const model = visionModel();
  const split = splitFrozenPrefix(model, lateLayers(model), 'z')!;
  const cached = await cacheFrozenPrefix(split, [scenes(16, 4)], { model, head: HEAD, budgetBytes: 1024 });
  assert.ok('skipped' in cached);
  assert.match(cached.skipped, /MiB/);
});
