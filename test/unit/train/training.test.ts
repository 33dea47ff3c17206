import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrainingGraph } from '../../../src/core/train/buildTrainingGraph';
import { Trainer, type FloatArray } from '../../../src/core/train/Trainer';
import { gradcheck } from '../../../src/core/train/gradcheck';
import { Evaluator } from '../../../src/core/train/Evaluator';
import { binaryMask } from '../../../src/core/masks/maskMethods';
import type { Model } from '../../../src/core/onnx/ir';
import { argmaxData, mlp } from './models';
import { makeModel } from '../../../src/core/onnx/makeModel';
import { makeTensor } from '../../../src/core/onnx/tensorCodec';
import { arrayData } from '../../../src/core/train/TrainingData';
import { expandUnits } from '../../../src/core/protocol/runWorkItem';
import type { TrainerCheckpoint } from '../../../src/core/train/Trainer';

const WEIGHTS = ['fc1.weight', 'fc2.weight'];

async function trainWeights(model: Model, epochs: number): Promise<Model> {
  const tg = await buildTrainingGraph(model, {
    output: 'logits', head: { type: 'classify' }, target: { kind: 'weights' },
    tensors: [...WEIGHTS, 'fc1.bias', 'fc2.bias'], update: 'adam',
  });
  const init = new Map([...model.graph.initializers]
    .filter(([k]) => tg.tensors.some((t) => t.initializer === k))
    .map(([k, t]) => [k, (t.data as Float32Array).slice() as FloatArray]));
  const trainer = await Trainer.create(tg, init);
  const res = await trainer.train(argmaxData(512, 6, 3), { epochs, batch: 32, lr: 0.01, seed: 0 });
  await trainer.release();
  const graph = { ...model.graph, initializers: new Map(model.graph.initializers) };
  for (const [k, v] of res.params) {
    graph.initializers.set(k, { ...graph.initializers.get(k)!, data: Float32Array.from(v), proto: undefined });
  }
  return { ...model, graph, proto: undefined };
}

async function trainMask(
  model: Model,
  seed: number,
  method: 'continuous-sparsification' | 'hard-concrete' = 'continuous-sparsification',
) {
  const tg = await buildTrainingGraph(model, {
    output: 'logits', head: { type: 'classify' }, target: { kind: 'mask', method, lambda: 1e-3 }, tensors: WEIGHTS,
    update: 'adam',
  });
  const init = new Map(tg.tensors.map((t) => [
    t.initializer,
    new Float32Array(t.shape.reduce((a, b) => a * b, 1)).fill(0.05) as FloatArray,
  ]));
  const trainer = await Trainer.create(tg, init);
  const res = await trainer.train(argmaxData(512, 6, 3, 7), {
    epochs: 8, batch: 32, lr: 0.05, seed, temperature: [1, 200],
  });
  await trainer.release();
  return res;
}

describe('mask training on a small MLP', () => {
  test('analytic mask gradients match float64 finite differences', async () => {
    const report = await gradcheck(mlp(6, 10, 3), argmaxData(16, 6, 3).rows([...Array(16).keys()]), {
      output: 'logits', head: { type: 'classify' }, tensors: WEIGHTS, samples: 12, beta: 1.5,
    });
    for (const t of report.tensors) {
      assert.ok(t.maxRelativeError <= 1e-5, `${t.tensor}: relative error ${t.maxRelativeError}`);
    }
  });

  test('odd-one-out head gradients match float64 finite differences', async () => {
    const model = mlp(6, 10, 5);
    const data = argmaxData(12, 6, 3);
    const rows = data.rows([...Array(12).keys()]);
    // 3 problems of 4 stimuli; the label is the index of the odd one.
    const batch = { inputs: rows.inputs, labels: [0, 3, 1] };
    const report = await gradcheck(model, batch, {
      output: 'logits', head: { type: 'odd-one-out', group: 4 }, tensors: WEIGHTS, samples: 10,
    });
    for (const t of report.tensors) {
      assert.ok(t.maxRelativeError <= 1e-5, `${t.tensor}: relative error ${t.maxRelativeError}`);
    }
  });

  test('weight training reaches high accuracy and mask training keeps it with fewer weights', async () => {
    const trained = await trainWeights(mlp(6, 16, 3), 20);
    const test = argmaxData(400, 6, 3, 99);
    const evaluator = await Evaluator.create(trained, {
      output: 'logits', head: { type: 'classify' }, replaced: WEIGHTS,
    });
    const full = new Map(WEIGHTS.map((w) => [w, trained.graph.initializers.get(w)!.data as Float32Array]));
    const fullAcc = (await evaluator.evaluate(test, full)).accuracy;
    assert.ok(fullAcc > 0.9, `trained accuracy ${fullAcc}`);

    const res = await trainMask(trained, 0);
    assert.equal(res.cancelled, false);
    assert.ok(res.last!.keptFraction! < 0.95, `kept ${res.last!.keptFraction}`);
    const masked = new Map(WEIGHTS.map((w) => {
      const m = binaryMask(res.params.get(w)!);
      return [w, (full.get(w)!).map((x, i) => x * m[i]!)] as const;
    }));
    const subAcc = (await evaluator.evaluate(test, masked)).accuracy;
    assert.ok(subAcc > 0.8, `subnetwork accuracy ${subAcc}`);
    const again = await trainMask(trained, 0);
    for (const w of WEIGHTS) {
      assert.deepEqual(binaryMask(again.params.get(w)!), binaryMask(res.params.get(w)!), 'same seed, same mask');
    }
    const hc = await trainMask(trained, 0, 'hard-concrete');
    assert.ok(Number.isFinite(hc.last!.loss));
    await evaluator.release();
  });

  test('unit granularity trains one logit per output neuron and expands to the weight shape', async () => {
    const model = mlp(6, 10, 3);
    const tg = await buildTrainingGraph(model, {
      output: 'logits', head: { type: 'classify' },
      target: { kind: 'mask', method: 'continuous-sparsification', lambda: 1e-3 }, tensors: WEIGHTS,
      unitAxes: new Map([['fc1.weight', 0], ['fc2.weight', 0]]), update: 'adam',
    });
    assert.deepEqual(tg.tensors.map((t) => t.shape), [[10, 1], [3, 1]]);
    const init = new Map(tg.tensors.map((t) => [
      t.initializer,
      new Float32Array(t.shape[0]!).fill(0.05) as FloatArray,
    ]));
    const trainer = await Trainer.create(tg, init);
    const res = await trainer.train(argmaxData(128, 6, 3), {
      epochs: 2, batch: 32, lr: 0.05, seed: 0, temperature: [1, 10],
    });
    await trainer.release();
    const unit = binaryMask(res.params.get('fc1.weight')!);
    const full = expandUnits(unit, [10, 1], [10, 6]);
    assert.equal(full.length, 60);
    for (let r = 0; r < 10; r++) for (let c = 0; c < 6; c++) assert.equal(full[r * 6 + c], unit[r]);
  });

  test('the batch symbol is traced through the training graph: no run-time broadcast sums', async () => {
    // A broadcast that shape inference cannot decide becomes Where(Equal(dim, 1), ReduceSum, g); with the
    // batch traced (classify, and odd-one-out with problems = N / k) none may appear.
    const unnamedBatch = mlp(6, 10, 3);
    unnamedBatch.graph.inputs = unnamedBatch.graph.inputs.map((i) => ({
      ...i, shape: [null, ...i.shape!.slice(1)], proto: undefined,
    }));
    const cases = [
      [mlp(6, 10, 3), { type: 'classify' as const }],
      [mlp(6, 10, 3), { type: 'odd-one-out' as const, group: 3 }],
      [unnamedBatch, { type: 'classify' as const }],
    ] as const;
    for (const [model, head] of cases) {
      const tg = await buildTrainingGraph(model, {
        output: 'logits', head, target: { kind: 'mask', method: 'continuous-sparsification', lambda: 1e-3 },
        tensors: WEIGHTS, update: 'adam',
      });
      const producer = new Map(tg.model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
      const runtimeSums = tg.model.graph.nodes.filter((n) => n.opType === 'Where'
        && producer.get(n.inputs[0]!)?.opType === 'Equal'
        && producer.get(n.inputs[1]!)?.opType === 'ReduceSum');
      assert.deepEqual(runtimeSums.map((n) => n.name), [], `${head.type}, batch ${model.graph.inputs[0]!.shape![0]}`);
    }
  });

  test('resuming from an epoch checkpoint gives the same mask as an uninterrupted run', async () => {
    const model = mlp(6, 10, 3);
    const make = async () => {
      const tg = await buildTrainingGraph(model, {
        output: 'logits', head: { type: 'classify' },
        target: { kind: 'mask', method: 'continuous-sparsification', lambda: 1e-3 }, tensors: WEIGHTS, update: 'adam',
      });
      return Trainer.create(tg, new Map(tg.tensors.map((t) => [
        t.initializer,
        new Float32Array(t.shape.reduce((a, b) => a * b, 1)).fill(0.05) as FloatArray,
      ])));
    };
    const data = argmaxData(128, 6, 3);
    const opts = { epochs: 4, batch: 32, lr: 0.05, seed: 3, temperature: [1, 50] as [number, number] };
    const whole = await make();
    let checkpoint: TrainerCheckpoint | undefined;
    const full = await whole.train(data, { ...opts, onEpoch: (c) => { if (c.epoch === 2) checkpoint = c; } });
    const resumed = await make();
    const rest = await resumed.train(data, { ...opts, resume: checkpoint });
    for (const w of WEIGHTS) assert.deepEqual(Array.from(rest.params.get(w)!), Array.from(full.params.get(w)!));
    await whole.release(); await resumed.release();
  });

  test('a NaN loss stops training with a message naming the step', async () => {
    const tg = await buildTrainingGraph(mlp(6, 10, 3), {
      output: 'logits', head: { type: 'classify' }, target: { kind: 'weights' }, tensors: WEIGHTS, update: 'adam',
    });
    const init = new Map(WEIGHTS.map((w) => [
      w,
      new Float32Array(w === 'fc1.weight' ? 60 : 30).fill(0.1) as FloatArray,
    ]));
    const trainer = await Trainer.create(tg, init);
    const x = new Float32Array(64 * 6).fill(NaN);
    await assert.rejects(
      trainer.train(arrayData({ x: { data: x, dims: [64, 6] } }, new BigInt64Array(64)), {
        epochs: 1, batch: 32, lr: 0.01, seed: 0,
      }),
      /loss became NaN at epoch 1, step 1/,
    );
    await trainer.release();
  });

  test('refuses models it cannot train, naming the reason', async () => {
    const old = { ...mlp(6, 10, 3), opsetImports: [{ domain: '', version: 11 }] };
    await assert.rejects(
      buildTrainingGraph(old, {
        output: 'logits', head: { type: 'classify' }, target: { kind: 'weights' }, tensors: WEIGHTS, update: 'adam',
      }),
      /opset 11; training needs opset 13/,
    );
    await assert.rejects(
      buildTrainingGraph(mlp(6, 10, 3), {
        output: 'nope', head: { type: 'classify' }, target: { kind: 'weights' }, tensors: WEIGHTS, update: 'adam',
      }),
      /output 'nope' is not an output of the model \(outputs: logits\)/,
    );
    await assert.rejects(
      buildTrainingGraph(mlp(6, 10, 3), {
        output: 'logits', head: { type: 'classify' }, target: { kind: 'weights' }, tensors: ['missing'], update: 'adam',
      }),
      /'missing' is not an initializer/,
    );
    const cosine = makeModel({
      inputs: [{ name: 'x', shape: ['N', 2] }], outputs: [{ name: 'y', shape: ['N', 2] }],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'W'], outputs: ['h'], name: '/mm' },
        { op: 'Acos', inputs: ['h'], outputs: ['y'], name: '/weird/Acos' },
      ],
      initializers: [makeTensor('W', 1, [2, 2], [1, 0, 0, 1])],
    });
    await assert.rejects(
      buildTrainingGraph(cosine, {
        output: 'y', head: { type: 'classify' },
        target: { kind: 'mask', method: 'continuous-sparsification', lambda: 0 }, tensors: ['W'], update: 'adam',
      }),
      /Acos[\s\S]*\/weird\/Acos/,
    );
  });
});

describe('batches', () => {
  test('arrayData writes a batch into an offered buffer of the right type and length only', () => {
    const data = arrayData({ x: { data: Float32Array.from({ length: 12 }, (_, i) => i), dims: [4, 3] } }, [0, 1, 2, 0]);
    const buffer = new Float32Array(6);
    const batch = data.rows([2, 0], { x: buffer });
    assert.equal(batch.inputs.x!.data, buffer);
    assert.deepEqual(Array.from(buffer), [6, 7, 8, 0, 1, 2]);
    assert.deepEqual(batch.labels, [2, 0]);
    assert.notEqual(data.rows([1], { x: buffer }).inputs.x!.data, buffer);
  });
});

describe('weight-sparse training', () => {
  test('keeps only the requested fraction of each trained tensor non-zero', async () => {
    const model = mlp(6, 16, 3);
    const tg = await buildTrainingGraph(model, {
      output: 'logits', head: { type: 'classify' }, target: { kind: 'weights' }, tensors: WEIGHTS, update: 'adam',
    });
    const init = new Map(WEIGHTS.map((w) => [
      w,
      (model.graph.initializers.get(w)!.data as Float32Array).slice() as FloatArray,
    ]));
    const trainer = await Trainer.create(tg, init);
    const res = await trainer.train(argmaxData(256, 6, 3), {
      epochs: 10, batch: 32, lr: 0.01, seed: 0, sparsity: { keep: 0.25 },
    });
    await trainer.release();
    for (const w of WEIGHTS) {
      const p = res.params.get(w)!;
      const nonzero = Array.from(p).filter((x) => x !== 0).length;
      assert.equal(nonzero, Math.ceil(0.25 * p.length), w);
    }
    assert.ok(res.last!.accuracy > 0.6, `train accuracy ${res.last!.accuracy}`);
  });
});
