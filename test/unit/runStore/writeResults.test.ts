import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeOverlap } from '../../../src/core/protocol/overlap';
import { conditionScore } from '../../../src/core/protocol/scores';
import { summarizeSubroutine } from '../../../src/core/protocol/summarizeSubroutine';
import { decideVerdict } from '../../../src/core/protocol/verdict';
import { listRuns, readMask, readRun } from '../../../src/core/runStore/readRun';
import { resultsCsv, writeMask, writeResults, writeRunInfo } from '../../../src/core/runStore/writeResults';
import { renderReport } from '../../../src/core/views/report';
import { RESULTS_CSV_COLUMNS, type ResultsFile, type RunInfo, type SeedResult } from '../../../src/shared/results';

const names = ['A', 'B'];
const chance = 0.25;

function seedResult(sub: string, seed: number, own: number, other: number, mask: Uint8Array): SeedResult {
  const o = sub === 'A' ? 'B' : 'A';
  const accuracy = {
    full: { A: 0.95, B: 0.94, task: 0.9 },
    subnetwork: { [sub]: own, [o]: other, task: 0.5 },
    ablation: { [sub]: other, [o]: own, task: 0.4 },
  };
  const kept = mask.reduce((a, b) => a + b, 0);
  return {
    seed, keptFraction: kept / mask.length, kept, total: mask.length, layers: { w: { kept, total: mask.length } },
    accuracy,
    subnetworkScore: conditionScore(accuracy.subnetwork, sub, names, chance),
    ablationScore: conditionScore(accuracy.ablation, sub, names, chance),
    mask: `masks/${sub}/seed-${seed}.safetensors`,
    training: {
      steps: 10, finalLoss: 0.1, trainAccuracy: 0.9, finalBeta: 200, ms: 5,
      hyperparameters: { init: 0.05, lambda: 1e-8, lr: 0.01, epochs: 1 },
    },
  };
}

function makeRun(dir: string): { results: ResultsFile; run: RunInfo } {
  const masks: Record<string, Record<number, { w: Uint8Array }>> = { A: {}, B: {} };
  const subroutines: ResultsFile['subroutines'] = {};
  for (const sub of names) {
    const seeds: SeedResult[] = [];
    const draws: Record<string, number>[][] = [];
    for (const seed of [0, 1, 2]) {
      const mask = Uint8Array.from({ length: 8 }, (_, i) => (sub === 'A'
        ? (i < 4 ? 1 : 0)
        : i >= 4 && i !== 4 + seed ? 1 : 0));
      masks[sub]![seed] = { w: mask };
      writeMask(dir, sub, seed, { w: { shape: [2, 4], data: mask } }, { method: 'continuous-sparsification' });
      seeds.push(seedResult(sub, seed, 0.9 - 0.01 * seed, 0.3, mask));
      draws.push(Array.from({ length: 20 }, (_, k) => ({ A: 0.8 + k * 0.005, B: 0.8, task: 0.7 })));
    }
    const raw = summarizeSubroutine(sub, seeds, draws, names, chance);
    // A's and B's p are equal, so Holm over the two doubles each.
    const summary = { ...raw, randomAblation: { ...raw.randomAblation, pAdjusted: 2 * raw.randomAblation.p! } };
    const settings = { alpha: 0.05, minSubnetworkAccuracy: 0.9, nearChance: 0.1 };
    subroutines[sub] = { ...summary, ...decideVerdict({ name: sub, subroutines: names, chance, summary, settings }) };
  }
  const results: ResultsFile = {
    schemaVersion: 1, runId: 'r1', subroutineNames: names, testSets: ['A', 'B', 'task'], chance, ablationMode: 'zero',
    partial: false,
    subroutines, controls: { ablationModes: {} }, overlap: computeOverlap(masks, names),
  };
  const now = new Date().toISOString();
  const run = {
    schemaVersion: 1, id: 'r1', spec: {} as RunInfo['spec'], specPath: '/w/t.subnet.json', model: '/w/m.onnx',
    versions: { subnetworkLens: '0.1.0', onnxruntime: '1.30.0', node: process.version }, seeds: [0, 1, 2],
    status: 'complete' as const,
    created: now, updated: now, timings: { totalMs: 1000, maskStepMs: 2.5, maskSteps: 60, perSubroutine: {} }, done: [],
    total: 6,
  };
  return { results, run };
}

describe('writeResults and readRun', () => {
  test('write a run folder that reads back whole, with verdicts from the statistics', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-run-'));
    const dir = path.join(ws, '.subnetwork-lens/runs/r1');
    const { results, run } = makeRun(dir);
    writeRunInfo(dir, run);
    writeResults(dir, results, renderReport(results, run));
    const back = readRun(dir);
    assert.deepEqual(back.problems, []);
    assert.equal(back.status, 'complete');
    assert.deepEqual(back.results, JSON.parse(JSON.stringify(results)));
    assert.equal(back.masks.length, 6);
    assert.equal(back.results!.subroutines['A']!.verdict, 'compositional');
    // B's null: every draw's ablation score (0.8 − 0.8…0.895) is above the observed −0.6 → p = 1/21 per
    // seed; Fisher over 3 seeds: χ²₆ survival at 2L, L = 3 ln 21, is e^−L (1 + L + L²/2).
    const ra = back.results!.subroutines['B']!.randomAblation;
    assert.deepEqual(ra.perSeed.map((s) => s.p), [1 / 21, 1 / 21, 1 / 21]);
    const L = 3 * Math.log(21);
    assert.ok(Math.abs(ra.p! - Math.exp(-L) * (1 + L + L * L / 2)) < 1e-12, `${ra.p}`);
    const m = readMask(path.join(dir, 'masks/A/seed-1.safetensors'));
    assert.deepEqual(Array.from(m.masks['w']!), [1, 1, 1, 1, 0, 0, 0, 0]);
    assert.deepEqual([m.shapes['w'], m.metadata['subroutine'], m.metadata['seed']], [[2, 4], 'A', '1']);
    assert.deepEqual(listRuns(ws).map((r) => r.id), ['r1']);
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0);
  });

  test('write one CSV row per condition × test set × seed plus one per random draw', () => {
    const { results } = makeRun(fs.mkdtempSync(path.join(os.tmpdir(), 'sl-csv-')));
    const lines = resultsCsv(results).trim().split('\n');
    assert.equal(lines[0], RESULTS_CSV_COLUMNS.join(','));
    // 2 subroutines × 3 seeds × 3 conditions × 3 test sets + 2 × 3 × 20 draws × 3 test sets.
    assert.equal(lines.length - 1, 2 * 3 * 3 * 3 + 2 * 3 * 20 * 3);
    assert.ok(lines.includes('trained,A,1,subnetwork,,,A,0.89,0.25,0.5'));
  });

  test('report a crashed run and a corrupt results file instead of throwing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-crash-'));
    const { run } = makeRun(dir);
    writeRunInfo(dir, { ...run, status: 'running' });
    fs.writeFileSync(path.join(dir, 'results.json'), '{"subroutines": {');
    const r = readRun(dir, { now: Date.now() + 10 * 60_000 });
    assert.equal(r.status, 'running');
    assert.equal(r.stale, true);
    assert.equal(r.results, null);
    assert.match(r.problems.join('\n'), /results\.json is not valid JSON/);
    const empty = readRun(fs.mkdtempSync(path.join(os.tmpdir(), 'sl-empty-')));
    assert.deepEqual([empty.status, empty.problems], ['unknown', ['run.json is missing']]);
  });

  test('render a self-contained HTML report with SVG charts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-rep-'));
    const { results, run } = makeRun(dir);
    writeResults(dir, results, renderReport(results, run));
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    assert.ok((html.match(/<svg /g) ?? []).length >= 6);
    assert.match(html, /compositional/);
    assert.match(html, /IoU per masked initializer/);
    assert.doesNotMatch(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, ''), /(src|href)=|https?:/);
  });
});
