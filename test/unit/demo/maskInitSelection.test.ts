import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  chooseMaskInit, demoPlan, randomInitSeed, runDemo, selectMaskInit, selectionTrial, SELECTION_SPEC_DIR,
  type DemoContext, type MaskInitSelection, type SelectionTrial,
} from '../../../src/jobs/runDemo';
import type { ResultsFile } from '../../../src/shared/results';
import type { SpecFile } from '../../../src/shared/spec';

/** An object whose every property outside `allowed` throws when read. */
function only<T extends object>(value: T, allowed: string[], what: string): T {
  return new Proxy(value, {
    get(target, key) {
      if (typeof key === 'string' && !allowed.includes(key)) throw new Error(`the selection read ${what}.${key}`);
      return Reflect.get(target, key);
    },
  });
}

const trial = (init: number, a: [number, number], b: [number, number]): SelectionTrial => ({
  init, subroutines: { A: { validationAccuracy: a[0], kept: a[1] }, B: { validationAccuracy: b[0], kept: b[1] } },
});

describe('choosing the mask init', () => {
  test('reads only validation accuracy and kept fraction from a run, never a test-set or ablation result', () => {
    const seed = (validationAccuracy: number, keptFraction: number) => only({
      keptFraction, accuracy: { ablation: {}, subnetwork: {}, full: {} }, ablationScore: -0.5,
      training: only({ validationAccuracy, trainAccuracy: 1 }, ['validationAccuracy'], 'training'),
    }, ['keptFraction', 'training'], 'seed');
    const subroutine = (validationAccuracy: number, kept: number) => only({
      seeds: [seed(validationAccuracy, kept)], ablationScore: -0.5, subnetworkScore: 0.5, verdict: 'compositional',
    }, ['seeds'], 'subroutine');
    const results = only({
      subroutineNames: ['A', 'B'], overlap: {}, controls: {},
      subroutines: only({ A: subroutine(0.9, 0.2), B: subroutine(0.8, 0.1) }, ['A', 'B'], 'subroutines'),
    }, ['subroutineNames', 'subroutines'], 'results') as unknown as ResultsFile;
    assert.deepEqual(selectionTrial(0.05, results), trial(0.05, [0.9, 0.2], [0.8, 0.1]));
  });

  test('takes the sparsest candidate within the tolerance of the best mean validation accuracy', () => {
    const trials = [
      trial(0.1, [0.95, 0.3], [0.9, 0.3]), // best accuracy, dense
      trial(0.05, [0.95, 0.1], [0.895, 0.1]), // 0.0025 below the best: within 0.01, sparser
      trial(0, [0.9, 0.02], [0.8, 0.02]), // sparsest but 0.075 below: out
    ];
    assert.equal(chooseMaskInit(trials, 0.01).init, 0.05);
    assert.equal(chooseMaskInit(trials, 0).init, 0.1);
    assert.equal(chooseMaskInit(trials, 0.1).init, 0);
  });
});

describe('the random-init control of the demo', () => {
  test('re-initialises each base model with a seed of its own', { timeout: 120_000 }, async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-reinit-'));
    const summary = await runDemo({
      outDir, preset: 'quick', tasks: ['control-modular'], baseSeeds: [0, 1], threads: 1,
    });
    const seeds = summary.tasks.map((t) => {
      const spec = JSON.parse(fs.readFileSync(path.join(t.workspace, 'control.subnet.json'), 'utf8')) as SpecFile;
      return spec.controls!.randomInitSeed;
    });
    assert.deepEqual(seeds, [randomInitSeed(0), randomInitSeed(1)]);
    assert.notEqual(randomInitSeed(0), randomInitSeed(1));
    // Same task data and mask seeds: one shared random network would give both base seeds the same scores.
    const scores = (baseSeed: number) => summary.rows.filter((r) => r.baseSeed === baseSeed)
      .map((r) => [r.randomInit!.subnetworkScore, r.randomInit!.ablationScore]);
    assert.notDeepEqual(scores(0), scores(1));
  });
});

describe('mask init across base seeds', () => {
  test('a later base seed (same task, variant, scope) takes the first one\'s choice, no training', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-selection-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const specPath = path.join(dir, 'task.subnet.json');
    fs.writeFileSync(specPath, JSON.stringify({ model: 'model.onnx', mask: { init: 0.1 } }));
    const plan = demoPlan('full').find((p) => p.task === 'number-contact')!;
    const first: MaskInitSelection = { chosen: -0.05, baseSeed: 0, trials: [] };
    const lines: string[] = [];
    const ctx: DemoContext = {
      outDir: dir, signal: new AbortController().signal, line: (l) => lines.push(l), scratchModels: new Map(),
      selections: new Map([['number-contact scratch late', first]]),
    };
    const chosen = await selectMaskInit(plan, 'scratch', 1, 'late', specPath, dir, 'tag', ctx);
    assert.equal(chosen, first);
    assert.equal((JSON.parse(fs.readFileSync(specPath, 'utf8')) as SpecFile).mask!.init, -0.05);
    assert.ok(!fs.existsSync(path.join(dir, SELECTION_SPEC_DIR)), 'no selection run for the later base seed');
    assert.match(lines.join('\n'), /chosen on base seed 0/);
  });
});
