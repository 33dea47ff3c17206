import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeScores, fisherCombinedP, holmAdjust, pooledRandomAblationP, quantile, randomAblationP, sampleSd,
} from '../../../src/core/protocol/statistics';

const close = (a: number | null | undefined, b: number, tol = 1e-6) =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) < tol, `${a} ≠ ${b}`);

describe('describeScores', () => {
  test('matches the closed-form t distribution with 2 degrees of freedom', () => {
    // df = 2: F(t) = 1/2 + t / (2·sqrt(2 + t²)); t(0.975, 2) = 4.302653 (tables).
    const s = describeScores([1, 2, 3]);
    assert.equal(s.n, 3);
    close(s.mean, 2);
    close(s.sd, 1);
    const t = 2 / (1 / Math.sqrt(3));
    close(s.t, t);
    assert.equal(s.df, 2);
    close(s.p, 1 - t / Math.sqrt(2 + t * t));
    close(s.ci95![0], 2 - 4.302653 / Math.sqrt(3), 1e-5);
    close(s.ci95![1], 2 + 4.302653 / Math.sqrt(3), 1e-5);
  });

  test('matches scipy for five values (ttest_1samp([1..5], 0): p = 0.013236)', () => {
    const s = describeScores([1, 2, 3, 4, 5]);
    close(s.sd, Math.sqrt(2.5));
    close(s.t, 4.242641, 1e-5);
    close(s.p, 0.013236, 1e-5);
    close(s.ci95![0], 3 - 2.776445 * Math.sqrt(0.5), 1e-5);
  });

  test('gives no interval or test for a single seed', () => {
    assert.deepEqual(describeScores([0.4]), { n: 1, mean: 0.4, sd: null, ci95: null, t: null, df: null, p: null });
    assert.equal(describeScores([]).mean, null);
    assert.equal(sampleSd([2]), null);
  });

  test('collapses the interval when every seed agrees', () => {
    const s = describeScores([-0.2, -0.2, -0.2]);
    assert.deepEqual(s.ci95!.map((x) => +x.toFixed(12)), [-0.2, -0.2]);
    assert.equal(s.t, -Infinity);
    assert.equal(s.p, 0);
    assert.equal(describeScores([0, 0]).p, null);
  });
});

describe('randomAblationP', () => {
  test('counts draws at or below the observed accuracy plus one over draws plus one', () => {
    assert.equal(randomAblationP(0.3, [0.5, 0.2, 0.3, 0.9]), 3 / 5);
    assert.equal(randomAblationP(0.1, Array(19).fill(0.8)), 1 / 20);
    assert.equal(randomAblationP(0.9, [0.5, 0.2]), 1);
  });

  test('pools seeds by pairing draws by index and comparing means', () => {
    const p = pooledRandomAblationP([
      { observed: 0.2, draws: [0.6, 0.1, 0.7] },
      { observed: 0.4, draws: [0.6, 0.3, 0.7, 0.0] },
    ]);
    // Observed mean 0.3; null means over the first 3 draws: 0.6, 0.2, 0.7 → one at or below.
    assert.equal(p, (1 + 1) / (1 + 3));
    assert.equal(pooledRandomAblationP([]), null);
    assert.equal(pooledRandomAblationP([{ observed: 0.2, draws: [] }]), null);
  });
});

describe('fisherCombinedP', () => {
  test('matches the closed-form χ² tail for even degrees of freedom', () => {
    // χ²_{2k} survival at x is e^{−x/2} Σ_{i<k} (x/2)^i / i!; here x/2 = −Σ ln p.
    const ps = [0.01, 0.2, 0.3, 0.5];
    const h = -ps.reduce((a, p) => a + Math.log(p), 0);
    close(fisherCombinedP(ps), Math.exp(-h) * (1 + h + h ** 2 / 2 + h ** 3 / 6), 1e-10);
    close(fisherCombinedP([0.3]), 0.3, 1e-10);
    assert.equal(fisherCombinedP([]), null);
  });
});

describe('holmAdjust', () => {
  test('steps down with running maxima, keeps input order, skips nulls', () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04
    // → running max 0.02, 0.03, 0.06, 0.06.
    const adj = holmAdjust([0.01, 0.04, null, 0.03, 0.005]);
    assert.equal(adj[2], null);
    [0.03, 0.06, null, 0.06, 0.02].forEach((want, i) => want !== null && close(adj[i], want, 1e-12));
    assert.deepEqual(holmAdjust([0.6, 0.7]), [1, 1]);
  });
});

describe('quantile', () => {
  test('interpolates between order statistics', () => {
    close(quantile([4, 1, 3, 2, 5], 0.5), 3);
    close(quantile([1, 2, 3, 4, 5], 0.025), 1.1);
    assert.equal(quantile([], 0.5), null);
  });
});
