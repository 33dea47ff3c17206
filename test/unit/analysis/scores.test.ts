import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chanceLevel, conditionScore } from '../../../src/core/analysis/scores';
import { decideVerdict } from '../../../src/core/analysis/verdict';
import { describeScores } from '../../../src/core/analysis/statistics';

describe('conditionScore', () => {
  test('floors accuracies at chance before subtracting, as in the paper', () => {
    const c = chanceLevel({ type: 'odd-one-out', group: 4 });
    assert.equal(c, 0.25);
    // Subnetwork of A: 0.9 on A, 0.1 on B → 0.9 − max(0.1, 0.25) = 0.65.
    assert.ok(Math.abs(conditionScore({ A: 0.9, B: 0.1, task: 0.5 }, 'A', ['A', 'B'], c) - 0.65) < 1e-12);
    // Ablation of A: 0.2 on A (floored to 0.25), 0.8 on B → −0.55.
    assert.ok(Math.abs(conditionScore({ A: 0.2, B: 0.8 }, 'A', ['A', 'B'], c) + 0.55) < 1e-12);
  });

  test('compares with the mean over the other subroutines when there are more than two', () => {
    assert.ok(Math.abs(conditionScore({ A: 0.9, B: 0.6, C: 0.2 }, 'A', ['A', 'B', 'C'], 0.25) - (0.9 - (0.6 + 0.25) / 2)) < 1e-12);
    assert.throws(() => conditionScore({ A: 0.9 }, 'A', ['A', 'B'], 0.25), /no accuracy for test set 'B'/);
    assert.equal(chanceLevel({ type: 'classify' }, 10), 0.1);
  });
});

describe('decideVerdict', () => {
  const good = describeScores([0.5, 0.6, 0.55]);
  const bad = describeScores([-0.3, -0.35, -0.25]);
  test('calls a subroutine compositional when both intervals exclude 0 and the null is beaten', () => {
    assert.equal(decideVerdict({ subnetwork: good, ablation: bad, randomAblationP: 1 / 21 }).verdict, 'compositional');
  });
  test('calls it not-compositional when the ablation interval is not below 0', () => {
    const v = decideVerdict({ subnetwork: good, ablation: describeScores([0.05, 0.06, 0.055]), randomAblationP: 1 / 21 });
    assert.deepEqual([v.verdict, /ablation score CI/.test(v.reason)], ['not-compositional', true]);
  });
  test('calls it not-compositional when random ablations hurt as much', () => {
    const v = decideVerdict({ subnetwork: good, ablation: bad, randomAblationP: 0.4 });
    assert.deepEqual([v.verdict, /random ablations/.test(v.reason)], ['not-compositional', true]);
  });
  test('stays inconclusive with one seed, an interval across 0 or no null', () => {
    assert.equal(decideVerdict({ subnetwork: describeScores([0.5]), ablation: describeScores([-0.3]), randomAblationP: 0.01 }).verdict, 'inconclusive');
    assert.equal(decideVerdict({ subnetwork: good, ablation: describeScores([-0.5, 0.1, -0.2]), randomAblationP: 0.01 }).verdict, 'inconclusive');
    assert.equal(decideVerdict({ subnetwork: good, ablation: bad, randomAblationP: null }).verdict, 'inconclusive');
  });
});
