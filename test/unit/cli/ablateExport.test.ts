import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runFind } from '../../../src/jobs/runFind';
import { ablate } from '../../../src/jobs/ablate';
import { exportModel } from '../../../src/jobs/exportModel';
import { readMask } from '../../../src/core/runStore/readRun';
import { ablate as ablateCommand } from '../../../src/cli/commands/ablate';
import { exportCommand } from '../../../src/cli/commands/export';
import { readModel } from '../../../src/core/onnx/readModel';
import { writeSafetensors } from '../../../src/core/data/writeSafetensors';
import { createSession, ort } from '../../../src/core/runtime/session';
import type { CliIO } from '../../../src/cli/command';
import type { AblateResult } from '../../../src/shared/jobs';
import type { ResultsFile } from '../../../src/shared/results';
import { twoStreamModel, writePlantedWorkspace } from '../protocol/plantedModels';

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out(t: string) { io.stdout += t; }, err(t: string) { io.stderr += t; } };
  return io;
}
const hooks = () => ({ onProgress: () => {}, signal: new AbortController().signal });

/** Logits of the planted model's first input rows. */
async function logits(file: string, x: Float32Array, n: number): Promise<Float32Array> {
  const session = await createSession(readModel(file), { threads: 1 });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', x, [n, 8]) });
    return out.logits!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('ablate and export on a run of the planted two-stream model', () => {
  let runDir = '';
  let dir = '';
  let results: ResultsFile;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ablate-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 3 });
    ({ runDir } = await runFind({ specPath: spec, seeds: [0] }, hooks()));
    results = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8')) as ResultsFile;
  });

  test('zero ablation reproduces the run\'s own ablation accuracies', async () => {
    const r = await ablate({ runDir, subroutine: 'A', seed: 0, mode: 'zero' }, hooks());
    const seed = results.subroutines.A!.seeds[0]!;
    assert.deepEqual(r.rows.map((row) => row.testSet), ['A', 'B']);
    for (const row of r.rows) {
      assert.equal(row.accuracyFull, seed.accuracy.full[row.testSet]);
      assert.equal(row.accuracyAblated, seed.accuracy.ablation[row.testSet]);
      assert.equal(row.examples, 200);
    }
    assert.equal(r.keptFraction, seed.keptFraction);
    assert.ok(r.savedTo && fs.existsSync(r.savedTo));
  });

  test('keep-only reproduces the subnetwork accuracies, on the chosen test set only', async () => {
    const r = await ablate({ runDir, subroutine: 'B', seed: 0, mode: 'keep-only', testSets: ['B'] }, hooks());
    assert.equal(r.rows.length, 1);
    assert.equal(r.rows[0]!.accuracyAblated, results.subroutines.B!.seeds[0]!.accuracy.subnetwork.B);
  });

  test('random ablations give a null distribution and a p-value in (0, 1]', async () => {
    const r = await ablate({ runDir, subroutine: 'A', seed: 0, mode: 'mean', randomAblations: 5 }, hooks());
    for (const row of r.rows) {
      assert.ok(row.randomMean! >= 0 && row.randomMean! <= 1);
      assert.ok(row.randomStd! >= 0);
      assert.ok(row.pValue! >= 1 / 6 && row.pValue! <= 1, String(row.pValue));
    }
  });

  test('names an unknown test set and a missing seed', async () => {
    await assert.rejects(
      ablate({ runDir, subroutine: 'A', seed: 0, mode: 'zero', testSets: ['C'] }, hooks()),
      /no test set 'C' \(test sets: A, B\)/,
    );
    await assert.rejects(
      ablate({ runDir, subroutine: 'A', seed: 7, mode: 'zero' }, hooks()), /no mask for A, seed 7.*seeds finished: 0/,
    );
  });

  test('the ablate command prints a table and --json the result', async () => {
    const io = capture();
    assert.equal(await ablateCommand.run([runDir, '--subroutine', 'A', '--mode', 'zero', '--random', '3'], io), 0);
    assert.match(io.stdout, /^A, seed 0: mode zero, subnetwork keeps \d+\.\d+ % of the masked weights$/m);
    assert.match(io.stdout, /^ {2}test set +examples +intact % +zero % +random % +± sd +p$/m);
    assert.match(io.stdout, /^ {2}B +200 +\d+\.\d +\d+\.\d +\d+\.\d +\d+\.\d +\d\.\d{3}$/m);
    const json = capture();
    const jsonArgs = [runDir, '--subroutine', 'B', '--seed', '0', '--mode', 'keep-only', '--test', 'A', '--json'];
    assert.equal(await ablateCommand.run(jsonArgs, json), 0);
    const r = JSON.parse(json.stdout) as AblateResult;
    assert.equal(r.mode, 'keep-only');
    assert.deepEqual(r.rows.map((x) => x.testSet), ['A']);
    await assert.rejects(
      ablateCommand.run([runDir, '--subroutine', 'A', '--mode', 'half'], capture()),
      /--mode must be one of zero, mean, random-reinit, keep-only/,
    );
  });

  test('exportModel writes a pruned model whose weights outside the mask are zero and that runs', async () => {
    const out = path.join(dir, 'pruned.onnx');
    const r = await exportModel({ runDir, subroutine: 'A', seed: 0, mode: 'keep-only', outPath: out }, hooks());
    const { masks } = readMask(path.join(runDir, 'masks/A/seed-0.safetensors'));
    const original = readModel(path.join(dir, 'model.onnx'));
    const pruned = readModel(out);
    let changed = 0, total = 0;
    for (const [name, m] of Object.entries(masks)) {
      const w = pruned.graph.initializers.get(name)!.data as Float32Array;
      const w0 = original.graph.initializers.get(name)!.data as Float32Array;
      for (let i = 0; i < m.length; i++) {
        assert.equal(w[i], m[i] ? w0[i] : 0, `${name}[${i}]`);
        if (!m[i]) changed++;
      }
      total += m.length;
    }
    assert.deepEqual(r, { outPath: out, changedWeights: changed, maskedWeights: total });
    assert.ok(changed > 0 && changed < total);
  });

  test('the export command writes an ablated model whose outputs differ from the intact model', async () => {
    const out = path.join(dir, 'ablated.onnx');
    const io = capture();
    const mask = path.join(runDir, 'masks/A/seed-0.safetensors');
    const code = await exportCommand.run([path.join(dir, 'model.onnx'), '--mask', mask, '--ablate', '-o', out], io);
    assert.equal(code, 0, io.stderr);
    const wrote = new RegExp('^wrote .*ablated\\.onnx: ablated model \\(subnetwork zeroed\\); '
      + '\\d+ of 80 masked weights changed; checked by one onnxruntime run$', 'm');
    assert.match(io.stdout, wrote);
    const x = Float32Array.from({ length: 16 }, (_, i) => (i % 8 === 0 ? 1.5 : 0));
    const before = await logits(path.join(dir, 'model.onnx'), x, 2);
    const after = await logits(out, x, 2);
    assert.notDeepEqual(Array.from(after), Array.from(before));
    await assert.rejects(
      exportCommand.run(
        [path.join(dir, 'model.onnx'), '--mask', 'm.safetensors', '--keep', '--ablate', '-o', out], capture(),
      ),
      /exactly one of --keep/,
    );
  });
});

describe('subnetwork-lens export on a PyTorch-exported model', () => {
  test('keeps the masked weights, zeroes the rest, and leaves every other initializer as it was', async () => {
    const root = path.join(__dirname, '..', '..', '..');
    const file = path.join(root, 'test/fixtures/cnn.onnx');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-fx-'));
    const model = readModel(file);
    const maskable = [...model.graph.initializers.values()].filter((t) => t.dataType === 1 && t.dims.length >= 2);
    const masks = Object.fromEntries(maskable.map((t) => [t.name, {
      dtype: 'uint8' as const, shape: t.dims,
      data: Uint8Array.from(t.data as Float32Array, (_, i) => (i % 3 === 0 ? 1 : 0)),
    }]));
    writeSafetensors(path.join(dir, 'm.safetensors'), masks);
    const out = path.join(dir, 'pruned.onnx');
    const io = capture();
    const keepArgs = [file, '--mask', path.join(dir, 'm.safetensors'), '--keep', '-o', out, '--json'];
    assert.equal(await exportCommand.run(keepArgs, io), 0, io.stderr);
    const r = JSON.parse(io.stdout) as { changedWeights: number; maskedWeights: number };
    assert.equal(r.maskedWeights, 348);
    const pruned = readModel(out);
    for (const [name, t] of model.graph.initializers) {
      const w = pruned.graph.initializers.get(name)!.data as Float32Array;
      const w0 = t.data as Float32Array;
      if (!(name in masks)) { assert.deepEqual(Array.from(w), Array.from(w0), name); continue; }
      for (let i = 0; i < w.length; i++) assert.equal(w[i], i % 3 === 0 ? w0[i] : 0, `${name}[${i}]`);
    }
    assert.equal(pruned.graph.nodes.length, model.graph.nodes.length);
    await assert.rejects(
      exportCommand.run(
        [file, '--mask', path.join(dir, 'm.safetensors'), '--ablate', '--mode', 'half', '-o', out], capture(),
      ),
      /--mode must be zero, mean or random-reinit/,
    );
  });
});

