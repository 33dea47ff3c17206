import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionScore } from '../../../src/core/protocol/scores';
import { summarizeSubroutine } from '../../../src/core/protocol/summarizeSubroutine';
import { decideVerdict } from '../../../src/core/protocol/verdict';
import { Rng } from '../../../src/core/util/random';
import type { AccuracyByTestSet, SeedResult } from '../../../src/shared/results';
import type { VerdictSpec } from '../../../src/shared/spec';

const names = ['A', 'B'];
const chance = 0.5;
const settings: VerdictSpec = { alpha: 0.05, minSubnetworkAccuracy: 0.9, nearChance: 0.1 };

interface Case {
  full?: AccuracyByTestSet;
  subnetwork?: AccuracyByTestSet;
  ablation?: AccuracyByTestSet;
  /** Mean accuracy of the random ablations per test set; each draw adds ±0.02 of uniform noise. */
  draws?: AccuracyByTestSet;
  seeds?: number;
  n?: number;
  /** Holm factor applied to the raw p (the number of equally significant subroutines). */
  holm?: number;
  spec?: Partial<VerdictSpec>;
}

/** Subroutine A of a run made of hand-set accuracies (the same for every seed, draws jittered). */
function judge(c: Case) {
  const accuracy = {
    full: c.full ?? { A: 0.95, B: 0.95 },
    subnetwork: c.subnetwork ?? { A: 0.93, B: 0.5 },
    ablation: c.ablation ?? { A: 0.5, B: 0.93 },
  };
  const rng = new Rng(7);
  const seeds: SeedResult[] = [];
  const draws: AccuracyByTestSet[][] = [];
  for (let s = 0; s < (c.seeds ?? 3); s++) {
    seeds.push({
      seed: s, keptFraction: 0.1, kept: 1, total: 10, layers: {}, accuracy, mask: '',
      subnetworkScore: conditionScore(accuracy.subnetwork, 'A', names, chance),
      ablationScore: conditionScore(accuracy.ablation, 'A', names, chance),
      training: {
        steps: 1, finalLoss: null, trainAccuracy: null, finalBeta: null, ms: 0,
        hyperparameters: { init: 0, lambda: 0, lr: 0, epochs: 1 },
      },
    });
    const mean = c.draws ?? { A: 0.9, B: 0.9 };
    const draw = () => Object.fromEntries(names.map((n) => [n, mean[n]! + rng.uniform(-0.02, 0.02)]));
    draws.push(Array.from({ length: c.n ?? 100 }, draw));
  }
  const raw = summarizeSubroutine('A', seeds, draws, names, chance);
  const pAdjusted = raw.randomAblation.p === null ? null : Math.min(1, (c.holm ?? 1) * raw.randomAblation.p);
  const summary = { ...raw, randomAblation: { ...raw.randomAblation, pAdjusted } };
  const decision = decideVerdict(
    { name: 'A', subroutines: names, chance, summary, settings: { ...settings, ...c.spec } });
  return { ...decision, summary };
}

describe('decideVerdict', () => {
  test('calls a specific ablation compositional, with Fisher over per-seed ranks', () => {
    const v = judge({});
    assert.equal(v.verdict, 'compositional', v.verdictReason);
    assert.deepEqual(v.summary.randomAblation.perSeed.map((s) => s.p), [1 / 101, 1 / 101, 1 / 101]);
  });

  test('judges specificity, not damage: random ablations hurting A as much as the learned one, and B too', () => {
    // The learned ablation takes A to 0.6 and spares B; random ones take both to about 0.6.
    const v = judge({ ablation: { A: 0.6, B: 0.94 }, draws: { A: 0.6, B: 0.6 } });
    assert.equal(v.verdict, 'compositional', v.verdictReason);
    assert.ok(v.summary.randomAblation.damageP! > 0.2, `damage p ${v.summary.randomAblation.damageP}`);
  });

  test('gate (c): the full model at chance on any subroutine is uninformative', () => {
    const v = judge({ full: { A: 0.95, B: 0.54 } });
    assert.deepEqual([v.verdict, v.gate], ['uninformative', 'full-model-at-chance']);
    assert.match(v.verdictReason, /at chance on B's test set/);
    assert.equal(judge({ full: { A: 0.95, B: 0.56 }, subnetwork: { A: 0.93, B: 0.5 } }).verdict, 'compositional');
  });

  test('gate (a): a subnetwork below the stated fraction of the full model is uninformative (a setting)', () => {
    const v = judge({ subnetwork: { A: 0.8, B: 0.5 } });
    assert.deepEqual([v.verdict, v.gate], ['uninformative', 'subnetwork-did-not-learn']);
    const lenient = judge({ subnetwork: { A: 0.8, B: 0.5 }, spec: { minSubnetworkAccuracy: 0.8 } });
    assert.equal(lenient.verdict, 'compositional');
  });

  test('gate (b): random and learned ablations leaving everything at chance are uninformative', () => {
    const v = judge({ ablation: { A: 0.5, B: 0.52 }, draws: { A: 0.51, B: 0.51 } });
    assert.deepEqual([v.verdict, v.gate], ['uninformative', 'random-ablations-at-chance']);
    // Random ablations at chance but the learned one sparing B: the scores can still be ranked.
    assert.equal(judge({ draws: { A: 0.51, B: 0.51 } }).verdict, 'compositional');
  });

  test('not-compositional when the subnetwork does not favour its subroutine', () => {
    const v = judge({ subnetwork: { A: 0.93, B: 0.94 } });
    assert.equal(v.verdict, 'not-compositional');
    assert.match(v.verdictReason, /does not favour/);
  });

  test('not-compositional when the ablation is no more specific than random ablations', () => {
    // The learned ablation hurts A a little more than B (−0.01); random ablations do so more (≈ −0.04).
    const v = judge({ ablation: { A: 0.69, B: 0.7 }, draws: { A: 0.67, B: 0.71 } });
    assert.ok(v.summary.randomAblation.nullScoreMean! <= 0, `null mean ${v.summary.randomAblation.nullScoreMean}`);
    assert.equal(v.verdict, 'not-compositional', v.verdictReason);
    assert.match(v.verdictReason, /no more specific/);
  });

  test('not-compositional when removing the subnetwork hurts the other subroutine at least as much', () => {
    const v = judge({ ablation: { A: 0.7, B: 0.7 } });
    assert.equal(v.verdict, 'not-compositional', v.verdictReason);
    assert.match(v.verdictReason, /does not hurt its own subroutine more/);
  });

  test('inconclusive when the p-value passes raw but not after Holm', () => {
    // 2 seeds × 10 draws: per-seed p = 1/11; Fisher: L = 2 ln 11, p = e^−L (1 + L) = 0.0479 < 0.05;
    // Holm ×2 → 0.096.
    const v = judge({ seeds: 2, n: 10, holm: 2 });
    const L = 2 * Math.log(11);
    assert.ok(Math.abs(v.summary.randomAblation.p! - Math.exp(-L) * (1 + L)) < 1e-12);
    assert.equal(v.verdict, 'inconclusive', v.verdictReason);
    assert.equal(judge({ seeds: 2, n: 10, holm: 1 }).verdict, 'compositional');
  });

  test('inconclusive with one seed or without random ablations', () => {
    assert.match(judge({ seeds: 1 }).verdictReason, /at least 2 seeds/);
    const v = judge({ n: 0 });
    assert.deepEqual([v.verdict, /no random-ablation null/.test(v.verdictReason)], ['inconclusive', true]);
  });
});
