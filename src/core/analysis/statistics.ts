// Across-seed statistics and the random-ablation null. Student-t quantiles and tails from jstat.
import type { ScoreStats } from '../../shared/results';

interface JStat {
  studentt: { inv(p: number, dof: number): number; cdf(x: number, dof: number): number };
}
// jstat ships no type declarations; only these two functions are used.
const { jStat } = require('jstat') as { jStat: JStat }; // eslint-disable-line @typescript-eslint/no-require-imports

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1 in the denominator); null when n < 2. */
export function sampleSd(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  if (values.every((v) => v === values[0])) return 0; // exactly, without rounding noise
  const m = mean(values)!;
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1));
}

/**
 * n, mean, sd, the 95 % confidence interval of the mean (mean ± t(0.975, n−1)·sd/√n) and the
 * one-sample two-sided t-test of mean = 0 (t = mean / (sd/√n), df = n − 1).
 * With sd = 0 the interval collapses to the mean and t is ±∞ (p = 0), or t/p are null if the mean is 0 too.
 */
export function describeScores(values: readonly number[]): ScoreStats {
  const n = values.length;
  const m = mean(values);
  const sd = sampleSd(values);
  if (m === null || sd === null) return { n, mean: m, sd, ci95: null, t: null, df: null, p: null };
  const df = n - 1;
  const se = sd / Math.sqrt(n);
  const q = jStat.studentt.inv(0.975, df);
  const ci95: [number, number] = [m - q * se, m + q * se];
  if (se === 0) {
    return m === 0 ? { n, mean: m, sd, ci95, t: null, df, p: null } : { n, mean: m, sd, ci95, t: m > 0 ? Infinity : -Infinity, df, p: 0 };
  }
  const t = m / se;
  const p = Math.min(1, 2 * jStat.studentt.cdf(-Math.abs(t), df));
  return { n, mean: m, sd, ci95, t, df, p };
}

/**
 * p-value of an ablation against its size-matched random-ablation null, one seed:
 * (1 + #{draws with accuracy ≤ observed}) / (1 + N), where `observed` is the accuracy on the
 * subroutine's own test set after removing its subnetwork, and the draws are the same accuracy after
 * removing as many random weights per layer. Small p: the real ablation hurts more than almost every
 * random one. With N draws the smallest possible p is 1 / (N + 1).
 */
export function randomAblationP(observed: number, draws: readonly number[]): number {
  let atMost = 0;
  for (const d of draws) if (d <= observed) atMost++;
  return (1 + atMost) / (1 + draws.length);
}

/**
 * Pooled over seeds: draws are paired by index (draw j of every seed), the statistic is the mean over
 * seeds, p = (1 + #{j : mean_s draw_s,j ≤ mean_s observed_s}) / (1 + N) with N the smallest number of
 * draws of any seed. Null when there are no seeds or no draws.
 */
export function pooledRandomAblationP(perSeed: readonly { observed: number; draws: readonly number[] }[]): number | null {
  if (perSeed.length === 0) return null;
  const N = Math.min(...perSeed.map((s) => s.draws.length));
  if (N === 0) return null;
  const obs = mean(perSeed.map((s) => s.observed))!;
  const nullMeans = Array.from({ length: N }, (_, j) => mean(perSeed.map((s) => s.draws[j]!))!);
  return randomAblationP(obs, nullMeans);
}
