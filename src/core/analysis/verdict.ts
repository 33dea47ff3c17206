// The verdict per subroutine. The README quotes the rule below.
import type { ScoreStats, Verdict } from '../../shared/results';

export interface VerdictInput {
  /** Across-seed statistics of the subnetwork score and the ablation score (statistics.describeScores). */
  subnetwork: ScoreStats;
  ablation: ScoreStats;
  /** Pooled random-ablation p-value (statistics.pooledRandomAblationP); null when no draws were made. */
  randomAblationP: number | null;
  /** Significance level, default 0.05. */
  alpha?: number;
}

/**
 * Verdict rule for subroutine X, with S = subnetwork score, A = ablation score (one value per seed),
 * CI = the 95 % t-interval of the across-seed mean, p = the pooled random-ablation p-value, α = 0.05.
 * The rules are tried in this order; the first that applies decides:
 *
 * 1. **inconclusive** if fewer than 2 seeds finished (no confidence interval).
 * 2. **not-compositional** if the CI of S lies at or below 0 (upper bound ≤ 0): the subnetwork does not
 *    perform X better than the other subroutines.
 * 3. **not-compositional** if the CI of A lies at or above 0 (lower bound ≥ 0): removing the subnetwork
 *    does not hurt X more than the other subroutines.
 * 4. **not-compositional** if p ≥ α: removing the subnetwork hurts X's own test set no more than
 *    removing as many random weights per layer does (the effect is within the random-ablation null).
 * 5. **compositional** if mean S > 0 with CI lower bound > 0, mean A < 0 with CI upper bound < 0,
 *    and p < α.
 * 6. **inconclusive** otherwise: a CI includes 0, or there is no random-ablation null (0 draws).
 *
 * With N random ablations the smallest p is 1/(N + 1), so N ≥ 20 is needed for p < 0.05.
 */
export function decideVerdict(input: VerdictInput): { verdict: Verdict; reason: string } {
  const alpha = input.alpha ?? 0.05;
  const { subnetwork: s, ablation: a, randomAblationP: p } = input;
  const fmt = (c: [number, number]) => `[${c[0].toFixed(3)}, ${c[1].toFixed(3)}]`;
  if (!s.ci95 || !a.ci95) return { verdict: 'inconclusive', reason: `needs at least 2 seeds for a confidence interval (have ${Math.min(s.n, a.n)})` };
  if (s.ci95[1] <= 0) return { verdict: 'not-compositional', reason: `subnetwork score CI ${fmt(s.ci95)} is not above 0` };
  if (a.ci95[0] >= 0) return { verdict: 'not-compositional', reason: `ablation score CI ${fmt(a.ci95)} is not below 0` };
  if (p !== null && p >= alpha) return { verdict: 'not-compositional', reason: `ablation hurts its own test set no more than size-matched random ablations (p = ${p.toFixed(3)} ≥ ${alpha})` };
  if (s.ci95[0] > 0 && a.ci95[1] < 0 && p !== null && p < alpha) {
    return { verdict: 'compositional', reason: `subnetwork score CI ${fmt(s.ci95)} > 0, ablation score CI ${fmt(a.ci95)} < 0, random-ablation p = ${p.toFixed(3)} < ${alpha}` };
  }
  if (p === null) return { verdict: 'inconclusive', reason: 'no random-ablation null (controls.randomAblations is 0)' };
  return { verdict: 'inconclusive', reason: `a confidence interval includes 0 (subnetwork ${fmt(s.ci95)}, ablation ${fmt(a.ci95)})` };
}
