import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pruneModel, shiftedPositive } from '../../../src/jobs/pruneModel';
import { oneShotScores } from '../../../src/core/train/oneShotMask';
import { readModel } from '../../../src/core/onnx/readModel';
import { twoStreamModel, writePlantedWorkspace } from './plantedModels';
import { prune as pruneCommand } from '../../../src/cli/commands/prune';
import type { CliIO } from '../../../src/cli/command';
import { loadSpec } from '../../../src/core/data/loadSpec';
import { datasetAsTrainingData } from '../../../src/core/data/datasetAsTrainingData';
import { maskableInitializers } from '../../../src/core/masks/maskableInitializers';
import { elementCount } from '../../../src/core/onnx/ir';
import { buildTrainingGraph } from '../../../src/core/train/buildTrainingGraph';
import { Trainer, type FloatArray } from '../../../src/core/train/Trainer';

const hooks = { onProgress: () => {}, signal: new AbortController().signal };

describe('pruning a base model', () => {
  test('keeps the requested fraction of masked weights and writes a runnable model', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 10 },
      { task: { train: 'data/A_train.npz', test: 'data/A_test.npz' } });
    const out = path.join(dir, 'pruned.onnx');
    const r = await pruneModel({ specPath: spec, keep: 0.1, outPath: out }, hooks);
    assert.ok(Math.abs(r.keptFraction - 0.1) < 0.02, `kept ${r.keptFraction}`);
    assert.ok(r.accuracyAfter >= r.accuracyBefore - 0.02, `${r.accuracyBefore} → ${r.accuracyAfter}`);
    const w = readModel(out).graph.initializers.get('fc1.weight')!.data as Float32Array;
    assert.ok(Array.from(w).filter((x) => x !== 0).length <= w.length * 0.2);
  });

  test('with a ladder, keeps the smallest fraction that holds the accuracy on the selection data', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 10 },
      { task: { train: 'data/A_train.npz', test: 'data/A_test.npz' } });
    const retain = 0.95;
    const r = await pruneModel({ specPath: spec, keep: { fractions: [0.5, 0.001, 0.1], retain,
      data: path.join(dir, 'data/A_val.npz') }, outPath: path.join(dir, 'pruned.onnx') }, hooks);
    const { accuracyBefore, tried } = r.ladder!;
    // The planted stream needs a few % of the weights: 0.1 % cannot hold the accuracy, 10 % can, 50 % is never tried.
    assert.deepEqual(tried.map((t) => t.keep), [0.001, 0.1], 'smallest first, stopping at the first that holds');
    assert.ok(tried[0]!.accuracy < retain * accuracyBefore, `0.1 % held ${tried[0]!.accuracy}`);
    assert.ok(tried[1]!.accuracy >= retain * accuracyBefore, `10 % lost the accuracy: ${tried[1]!.accuracy}`);
    assert.ok(Math.abs(r.keptFraction - 0.1) < 0.005, `kept ${r.keptFraction}`);
  });

  test('the prune command takes a ladder of fractions judged on --select data, ' +
    'and refuses incomplete ones', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-cli-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 10 },
      { task: { train: 'data/A_train.npz', test: 'data/A_test.npz' } });
    const io = { stdout: '', stderr: '', out(t: string) { io.stdout += t; },
      err(t: string) { io.stderr += t; } } satisfies CliIO & { stdout: string; stderr: string };
    const out = path.join(dir, 'pruned.onnx');
    assert.equal(await pruneCommand.run([spec, '--keep', '0.001,0.1', '--select', path.join(dir, 'data/A_val.npz'),
      '-o', out, '--json'], io), 0, io.stderr);
    const result = JSON.parse(io.stdout) as { keptFraction: number; ladder: { tried: { keep: number }[] } };
    assert.deepEqual(result.ladder.tried.map((t) => t.keep), [0.001, 0.1]);
    assert.ok(fs.existsSync(out));
    await assert.rejects(pruneCommand.run([spec, '--keep', '0.05,0.1', '-o', out], io), /need --select DATA/);
    await assert.rejects(pruneCommand.run([spec, '--keep', '0.1', '--retain', '0.9', '-o', out], io),
      /give more than one/);
    await assert.rejects(pruneCommand.run([spec, '--keep', '0.1,1.5', '--select', 'x.npz', '-o', out], io),
      /comma-separated list/);
  });

  test("with keep 'mask-solution', keeps exactly the trained mask's s > 0 weights", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 6 }, {
      task: { train: 'data/A_train.npz', test: 'data/A_test.npz' },
    });
    const out = path.join(dir, 'pruned.onnx');
    const r = await pruneModel({ specPath: spec, keep: 'mask-solution', outPath: out, seed: 3, threads: 1 }, hooks);
    // The same mask trained here, outside pruneModel: its positive logits are what must be kept.
    const s = loadSpec(spec);
    const model = readModel(s.model);
    const masked = maskableInitializers(model);
    const tg = await buildTrainingGraph(model, {
      output: 'logits', head: s.head, tensors: masked, update: 'adam',
      target: { kind: 'mask', method: 'continuous-sparsification', lambda: s.mask.lambda },
    });
    const logits = (shape: number[]) => new Float32Array(elementCount(shape)).fill(s.mask.init) as FloatArray;
    const initial = new Map(tg.tensors.map((t) => [t.initializer, logits(t.shape)]));
    const trainer = await Trainer.create(tg, initial, 1);
    const train = datasetAsTrainingData(s.task!.train!, model, s);
    const m = s.mask;
    const res = await trainer.train(train, {
      epochs: m.epochs, batch: m.batch, lr: m.lr, seed: 3, temperature: m.temperature,
    });
    await trainer.release();
    train.dataset.close();
    let positive = 0, total = 0;
    for (const name of masked) for (const x of res.params.get(name)!) { positive += x > 0 ? 1 : 0; total++; }
    assert.ok(positive > 0 && positive < total, `${positive} of ${total} logits > 0`);
    assert.equal(Math.round(r.keptFraction * total), positive);
    // The written model: every dropped weight is 0, every kept one keeps its (non-zero) trained value.
    const pruned = readModel(out);
    const nonZeroIn = (name: string) =>
      (pruned.graph.initializers.get(name)!.data as Float32Array).filter((x) => x !== 0);
    const nonZero = masked.reduce((n, name) => n + nonZeroIn(name).length, 0);
    assert.equal(nonZero, positive);
    assert.equal(r.maskTraining.steps, res.steps);
  });

  test('ranks mask logits across tensors by value', () => {
    // Tensor b's logits are all above a's: keeping half must keep all of b (a shift per tensor would tie them).
    const scores = shiftedPositive([['a', Float32Array.of(-5, -4)], ['b', Float32Array.of(-1, 0)]]);
    const masks = oneShotScores(['a', 'b'], (n) => scores.get(n)!, 0.5, 'global');
    assert.deepEqual([...masks.get('a')!], [0, 0]);
    assert.deepEqual([...masks.get('b')!], [1, 1]);
  });

  test('needs the task training set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0));
    await assert.rejects(pruneModel({ specPath: spec, keep: 0.1, outPath: path.join(dir, 'p.onnx') }, hooks),
      /needs task.train/);
  });
});
