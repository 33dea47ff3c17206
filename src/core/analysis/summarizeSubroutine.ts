// Builds one subroutine's entry of results.json from its finished seeds: mean scores, across-seed
// statistics, the pooled random-ablation null and the verdict.
import type { RandomAblationSeed, SeedResult, SubroutineResult } from '../../shared/results';
import { describeScores, mean, pooledRandomAblationP, randomAblationP } from './statistics';
import { decideVerdict } from './verdict';

/**
 * `randomDraws[k]` are the random-ablation draws of `seeds[k]` (accuracy per test set per draw);
 * the null statistic is the accuracy on the subroutine's own test set.
 */
export function summarizeSubroutine(name: string, seeds: SeedResult[], randomDraws: Record<string, number>[][], alpha = 0.05): SubroutineResult {
  const perSeed: RandomAblationSeed[] = seeds.map((s, k) => {
    const draws = randomDraws[k] ?? [];
    const observed = s.accuracy.ablation[name]!;
    return { seed: s.seed, observed, draws, p: randomAblationP(observed, draws.map((d) => d[name]!)) };
  });
  const pooled = pooledRandomAblationP(perSeed.map((p) => ({ observed: p.observed, draws: p.draws.map((d) => d[name]!) })));
  const stats = {
    subnetworkScore: describeScores(seeds.map((s) => s.subnetworkScore)),
    ablationScore: describeScores(seeds.map((s) => s.ablationScore)),
    keptFraction: describeScores(seeds.map((s) => s.keptFraction)),
  };
  const { verdict, reason } = decideVerdict({ subnetwork: stats.subnetworkScore, ablation: stats.ablationScore, randomAblationP: pooled, alpha });
  return {
    subnetworkScore: stats.subnetworkScore.mean,
    ablationScore: stats.ablationScore.mean,
    verdict,
    verdictReason: reason,
    seeds,
    stats,
    randomAblation: {
      draws: perSeed.length ? Math.min(...perSeed.map((p) => p.draws.length)) : 0,
      perSeed,
      observedMean: mean(perSeed.map((p) => p.observed)),
      nullMean: mean(perSeed.flatMap((p) => p.draws.map((d) => d[name]!))),
      p: pooled,
    },
  };
}
