import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chanceLevel, conditionScore } from '../../../src/core/protocol/scores';

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
    assert.ok(Math.abs(
      conditionScore({ A: 0.9, B: 0.6, C: 0.2 }, 'A', ['A', 'B', 'C'], 0.25) - (0.9 - (0.6 + 0.25) / 2)) < 1e-12);
    assert.throws(() => conditionScore({ A: 0.9 }, 'A', ['A', 'B'], 0.25), /no accuracy for test set 'B'/);
    assert.equal(chanceLevel({ type: 'classify' }, 10), 0.1);
  });
});
