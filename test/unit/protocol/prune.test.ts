import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pruneModel } from '../../../src/core/analysis/pruneModel';
import { readModel } from '../../../src/core/onnx/readModel';
import { twoStreamModel, writePlantedWorkspace } from './plantedModels';

const hooks = { onProgress: () => {}, signal: new AbortController().signal };

describe('pruning a base model', () => {
  test('keeps the requested fraction of masked weights and writes a runnable model', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 10 }, { task: { train: 'data/A_train.npz', test: 'data/A_test.npz' } });
    const out = path.join(dir, 'pruned.onnx');
    const r = await pruneModel({ specPath: spec, keep: 0.1, outPath: out }, hooks);
    assert.ok(Math.abs(r.keptFraction - 0.1) < 0.02, `kept ${r.keptFraction}`);
    assert.ok(r.accuracyAfter >= r.accuracyBefore - 0.02, `${r.accuracyBefore} → ${r.accuracyAfter}`);
    const w = readModel(out).graph.initializers.get('fc1.weight')!.data as Float32Array;
    assert.ok(Array.from(w).filter((x) => x !== 0).length <= w.length * 0.2);
  });

  test('needs the task training set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0));
    await assert.rejects(pruneModel({ specPath: spec, keep: 0.1, outPath: path.join(dir, 'p.onnx') }, hooks), /needs task.train/);
  });
});
