// Across-seed statistics, the random-ablation null and the multiple-testing correction.
// Student-t quantiles and tails and the chi-square CDF from jstat.
import type { ScoreStats } from '../../shared/results';

interface JStat {
  studentt: { inv(p: number, dof: number): number; cdf(x: number, dof: number): number };
  chisquare: { cdf(x: number, dof: number): number };
}
// jstat ships no type declarations; only these functions are used.
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
    return m === 0 ? { n, mean: m, sd, ci95, t: null, df, p: null }
      : { n, mean: m, sd, ci95, t: m > 0 ? Infinity : -Infinity, df, p: 0 };
  }
  const t = m / se;
  const p = Math.min(1, 2 * jStat.studentt.cdf(-Math.abs(t), df));
  return { n, mean: m, sd, ci95, t, df, p };
}

/**
 * One-sided rank p-value of an observed value against draws from its null, where smaller is more
 * extreme: (1 + #{draws ≤ observed}) / (1 + N). Ties count against the observation, so the p-value is
 * valid (never anti-conservative) even when the null has atoms, e.g. many draws floored at chance.
 * With N draws the smallest possible p is 1 / (N + 1).
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
export function pooledRandomAblationP(
  perSeed: readonly { observed: number; draws: readonly number[] }[]): number | null {
  if (perSeed.length === 0) return null;
  const N = Math.min(...perSeed.map((s) => s.draws.length));
  if (N === 0) return null;
  const obs = mean(perSeed.map((s) => s.observed))!;
  const nullMeans = Array.from({ length: N }, (_, j) => mean(perSeed.map((s) => s.draws[j]!))!);
  return randomAblationP(obs, nullMeans);
}

/**
 * Fisher's method: independent p-values p_1…p_k combine to X = −2 Σ ln p_i, which is χ² with 2k degrees
 * of freedom when every null holds; the combined p is P(χ²_2k ≥ X). Null for an empty list.
 */
export function fisherCombinedP(ps: readonly number[]): number | null {
  if (ps.length === 0) return null;
  const x = -2 * ps.reduce((a, p) => a + Math.log(p), 0);
  return Math.min(1, Math.max(0, 1 - jStat.chisquare.cdf(x, 2 * ps.length)));
}

/**
 * Holm's step-down adjustment (family-wise error): with the m non-null p-values sorted ascending,
 * adjusted p_(i) = max over j ≤ i of min(1, (m − j + 1) · p_(j)). Nulls stay null and do not count in m.
 * Returned in the input order.
 */
export function holmAdjust(ps: readonly (number | null)[]): (number | null)[] {
  const order = ps.map((p, i) => ({ p, i }))
    .filter((e): e is { p: number; i: number } => e.p !== null)
    .sort((a, b) => a.p - b.p);
  const out: (number | null)[] = ps.map(() => null);
  let running = 0;
  order.forEach((e, j) => {
    running = Math.max(running, Math.min(1, (order.length - j) * e.p));
    out[e.i] = running;
  });
  return out;
}

/** The q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics; null for no values. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}
