// One subroutine's figures in results.json from its finished seeds: mean scores, across-seed statistics
// and the size-matched random-ablation null of the ablation score. The verdict needs every subroutine's p
// (Holm's correction), so assembleResults adds it.
import type { AccuracyByTestSet, RandomAblationSeed, SeedResult, SubroutineResult } from '../../shared/results';
import { conditionScore } from './scores';
import { describeScores, fisherCombinedP, mean, pooledRandomAblationP, quantile, randomAblationP } from './statistics';

export type SubroutineSummary = Omit<SubroutineResult, 'verdict' | 'verdictReason' | 'gate'>;

/**
 * `randomDraws[k]` are the random-ablation draws of `seeds[k]` (accuracy per test set per draw). Each
 * draw's ablation score is floored at `chance` exactly as the observed one; per seed the observed score
 * is ranked among them, and the seeds' p-values are combined by Fisher's method.
 */
export function summarizeSubroutine(
  name: string, seeds: SeedResult[], randomDraws: AccuracyByTestSet[][], subroutines: readonly string[], chance: number,
): SubroutineSummary {
  const ownAccuracy = (draws: AccuracyByTestSet[]) => draws.map((d) => d[name]!);
  const perSeed: RandomAblationSeed[] = seeds.map((s, k) => {
    const draws = randomDraws[k] ?? [];
    const scores = draws.map((d) => conditionScore(d, name, subroutines, chance));
    const observed = s.accuracy.ablation[name]!;
    return {
      seed: s.seed, observedScore: s.ablationScore, scores, p: randomAblationP(s.ablationScore, scores),
      observed, draws, damageP: randomAblationP(observed, ownAccuracy(draws)),
    };
  });
  const withDraws = perSeed.filter((p) => p.draws.length > 0);
  const nullScores = withDraws.flatMap((p) => p.scores);
  const low = quantile(nullScores, 0.025);
  const high = quantile(nullScores, 0.975);
  return {
    subnetworkScore: mean(seeds.map((s) => s.subnetworkScore)),
    ablationScore: mean(seeds.map((s) => s.ablationScore)),
    seeds,
    stats: {
      subnetworkScore: describeScores(seeds.map((s) => s.subnetworkScore)),
      ablationScore: describeScores(seeds.map((s) => s.ablationScore)),
      keptFraction: describeScores(seeds.map((s) => s.keptFraction)),
    },
    randomAblation: {
      draws: perSeed.length ? Math.min(...perSeed.map((p) => p.draws.length)) : 0,
      perSeed,
      combination: 'fisher',
      p: withDraws.length === perSeed.length ? fisherCombinedP(withDraws.map((p) => p.p)) : null,
      pAdjusted: null,
      observedScoreMean: mean(perSeed.map((p) => p.observedScore)),
      nullScoreMean: mean(nullScores),
      nullScoreRange: low === null || high === null ? null : [low, high],
      observedMean: mean(perSeed.map((p) => p.observed)),
      nullMean: mean(perSeed.flatMap((p) => ownAccuracy(p.draws))),
      damageP: pooledRandomAblationP(perSeed.map((p) => ({ observed: p.observed, draws: ownAccuracy(p.draws) }))),
    },
  };
}
