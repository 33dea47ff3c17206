import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runFind } from '../../../src/jobs/runFind';
import type { ResultsFile, RunInfo } from '../../../src/shared/results';
import { twoStreamModel, weightTiedModel, writePlantedWorkspace } from './plantedModels';

const hooks = (signal = new AbortController().signal) => ({ onProgress: () => {}, signal });
const read = <T>(dir: string, f: string): T => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as T;

describe('the protocol on planted structure', () => {
  test('recovers both modules of a block-diagonal two-stream model', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'planted-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0));
    const { runDir, status } = await runFind({ specPath: spec }, hooks());
    assert.equal(status, 'complete');
    const results = read<ResultsFile>(runDir, 'results.json');
    for (const name of ['A', 'B']) {
      const r = results.subroutines[name]!;
      assert.equal(r.verdict, 'compositional',
        `${name}: ${r.verdictReason} (S=${r.subnetworkScore}, A=${r.ablationScore}, p=${r.randomAblation.p})`);
      assert.ok(r.subnetworkScore! > 0.3 && r.ablationScore! < -0.3,
        `${name}: S=${r.subnetworkScore} A=${r.ablationScore}`);
    }
    // A's kept first-layer weights lie in A's block (columns 0–3), B's in columns 4–7.
    const a = results.subroutines.A!.seeds[0]!;
    assert.ok(a.layers['fc1.weight']!.kept > 0);
    const run = read<RunInfo>(runDir, 'run.json');
    assert.equal(run.status, 'complete');
    assert.ok(run.timings.maskStepMs! > 0);
    assert.ok(fs.existsSync(path.join(runDir, 'masks/A/seed-0.safetensors')));
    assert.ok(fs.readFileSync(path.join(runDir, 'results.csv'), 'utf8').split('\n').length > 10);
  });

  test('never calls a weight-tied model compositional', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tied-'));
    const spec = writePlantedWorkspace(dir, weightTiedModel());
    const { runDir } = await runFind({ specPath: spec }, hooks());
    const results = read<ResultsFile>(runDir, 'results.json');
    for (const name of ['A', 'B'])
      assert.notEqual(results.subroutines[name]!.verdict, 'compositional', results.subroutines[name]!.verdictReason);
  });

  test('a cancelled run is marked cancelled and resumes to completion', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cancel-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0));
    const ac = new AbortController();
    let steps = 0;
    const first = await runFind({ specPath: spec },
      { signal: ac.signal, onProgress: (e) => { if (e.step && ++steps === 200) ac.abort(); } });
    assert.equal(first.status, 'cancelled');
    const run = read<RunInfo>(first.runDir, 'run.json');
    assert.equal(run.status, 'cancelled');
    assert.ok(run.done.length < run.total);
    const again = await runFind({ specPath: spec, resume: first.runDir }, hooks());
    assert.equal(again.status, 'complete');
    assert.equal(read<RunInfo>(first.runDir, 'run.json').done.length, 6);
  });

  test('hyper-parameter search picks on validation accuracy and sparsity, recorded per seed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'search-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 6 }, {
      seeds: [0], controls: { randomInit: false, randomAblations: 0, ablationModes: ['zero'] },
      hyperparameterSearch: { lambda: [0, 0.01], tolerance: 0.02 },
    });
    const { runDir } = await runFind({ specPath: spec }, hooks());
    const seed = read<ResultsFile>(runDir, 'results.json').subroutines.A!.seeds[0]!;
    // Both λ reach the same validation accuracy; the sparser mask (λ = 0.01) must win.
    assert.equal(seed.training.hyperparameters.lambda, 0.01);
    assert.ok(seed.training.validationAccuracy! > 0.9);
  });

  test('the random-init control and a second ablation mode are reported', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'controls-'));
    const spec = writePlantedWorkspace(dir, twoStreamModel(0), { epochs: 4 }, {
      seeds: [0, 1], controls: { randomInit: true, randomAblations: 5, ablationModes: ['zero', 'mean'] },
    });
    const { runDir } = await runFind({ specPath: spec }, hooks());
    const results = read<ResultsFile>(runDir, 'results.json');
    assert.equal(results.controls.randomInit!.subroutines.A!.seeds.length, 2);
    assert.equal(results.controls.ablationModes.mean!.A!.seeds.length, 2);
    assert.ok(fs.existsSync(path.join(runDir, 'masks/random-init/A/seed-1.safetensors')));
  });
});
