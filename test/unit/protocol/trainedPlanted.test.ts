import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runFind } from '../../../src/jobs/runFind';
import { trainBaseModel } from '../../../src/core/tasks/trainBaseModel';
import type { Model } from '../../../src/core/onnx/ir';
import type { ResultsFile } from '../../../src/shared/results';
import {
  CONTROL_BASE_TRAINING, sharedModel, streamsModel, writeControlWorkspace,
} from '../../../src/core/tasks/writeControlWorkspace';

const hooks = { onProgress: () => {}, signal: new AbortController().signal };
const BASE_SEEDS = [0, 1, 2, 3, 4];

/**
 * Trains the base model of one base seed (engine weight training; base-model settings chosen on its task
 * accuracy), runs the protocol (3 mask seeds, 100 random ablations) and returns the results, logging one
 * table row per subroutine.
 */
async function plantedRun(t: TestContext, kind: string, model: Model, streams: number, seed: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `planted-${kind}-`));
  const spec = writeControlWorkspace(dir, model, streams);
  const base = await trainBaseModel(dir, { seed, ...CONTROL_BASE_TRAINING, threads: 1 });
  const { runDir } = await runFind({ specPath: spec, threads: 1 }, hooks);
  const results = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8')) as ResultsFile;
  const f = (v: number | null) => (v === null ? '—' : v.toFixed(3));
  for (const [name, r] of Object.entries(results.subroutines)) {
    const ra = r.randomAblation;
    const cells = [
      kind, seed, f(base.testAccuracy), name, f(r.subnetworkScore), f(r.ablationScore), f(ra.nullScoreMean),
      ra.p!.toExponential(1), ra.pAdjusted!.toExponential(1), r.verdict,
    ];
    t.diagnostic(`| ${cells.join(' | ')} |`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return results;
}

describe('the protocol on trained planted networks', () => {
  test('two streams meeting only at the head: both compositional for at least 4 of 5 base seeds', async (t) => {
    let good = 0;
    for (const seed of BASE_SEEDS) {
      const r = await plantedRun(t, 'two streams', streamsModel(2, seed), 2, seed);
      if (['A', 'B'].every((n) => r.subroutines[n]!.verdict === 'compositional')) good++;
    }
    assert.ok(good >= 4, `${good} of 5 base seeds had both subroutines compositional`);
  });

  test('one shared module: never compositional', async (t) => {
    for (const seed of BASE_SEEDS.slice(0, 3)) {
      const r = await plantedRun(t, 'shared module', sharedModel(seed), 2, seed);
      for (const [n, s] of Object.entries(r.subroutines)) {
        assert.notEqual(s.verdict, 'compositional', `seed ${seed}, ${n}: ${s.verdictReason}`);
      }
    }
  });

  test('three streams: all three subroutines compositional', async (t) => {
    for (const seed of BASE_SEEDS.slice(0, 2)) {
      const r = await plantedRun(t, 'three streams', streamsModel(3, seed), 3, seed);
      assert.deepEqual(r.subroutineNames, ['A', 'B', 'C']);
      for (const [n, s] of Object.entries(r.subroutines)) {
        assert.equal(s.verdict, 'compositional', `seed ${seed}, ${n}: ${s.verdictReason}`);
      }
    }
  });
});
