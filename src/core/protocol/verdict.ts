// The verdict per subroutine. The README's "Verdict rule" section states the same rule.
import type { SubroutineResult, UninformativeGate, Verdict } from '../../shared/results';
import type { VerdictSpec } from '../../shared/spec';
import { mean } from './statistics';
import type { SubroutineSummary } from './summarizeSubroutine';

export interface VerdictInput {
  /** The subroutine judged and every subroutine of the run (the score compares them). */
  name: string;
  subroutines: readonly string[];
  chance: number;
  /** Its figures, with `randomAblation.pAdjusted` already set (Holm across the run's subroutines). */
  summary: SubroutineSummary;
  settings: VerdictSpec;
}

export type VerdictDecision = Pick<SubroutineResult, 'verdict' | 'verdictReason' | 'gate'>;

/**
 * S = subnetwork score, A = ablation score (chance-floored, one per seed); p = the specificity p-value:
 * per seed, A ranked among the ablation scores of N size-matched random ablations,
 * (1 + #{draws ≤ A}) / (1 + N), the seeds combined by Fisher's method, then Holm-adjusted across the
 * run's subroutines. "At chance" means accuracy ≤ c + nearChance·(1 − c). First match decides:
 *
 * 1. **inconclusive** if no seed has finished.
 * 2. **uninformative** (c) if the full model is at chance on any subroutine's test set.
 * 3. **uninformative** (a) if the subnetwork's mean own-test accuracy is below minSubnetworkAccuracy ×
 *    the full model's (the mask did not learn its subroutine).
 * 4. **uninformative** (b) if the random ablations (mean over draws) and the learned ablation (mean over
 *    seeds) both leave every subroutine's test set at chance: every score is floored to 0, nothing to rank.
 * 5. **inconclusive** if fewer than 2 seeds finished, or there are no random ablations.
 * 6. **compositional** if adjusted p < α, S > 0 in every seed and mean A < 0.
 * 7. **not-compositional** if mean S ≤ 0 (the subnetwork does not favour its own subroutine), mean A ≥ 0
 *    (removing it does not hurt its own subroutine more than the others) or mean A ≥ the null's mean score
 *    (removing it is no more specific than removing random weights).
 * 8. **inconclusive** otherwise: the means point the right way but adjusted p ≥ α, or some seed's S ≤ 0.
 */
export function decideVerdict(input: VerdictInput): VerdictDecision {
  const { name, subroutines, chance, summary, settings } = input;
  const { seeds, randomAblation: ra, stats } = summary;
  const atChanceBelow = chance + settings.nearChance * (1 - chance);
  const atChance = (accuracy: number) => accuracy <= atChanceBelow;
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const num = (v: number | null) => (v === null ? '—' : v.toFixed(3));
  const pNum = (v: number) => (v > 0 && v < 1e-3 ? v.toExponential(1) : v.toFixed(3));
  const ci = (c: [number, number] | null) => (c ? `, 95 % CI [${num(c[0])}, ${num(c[1])}]` : '');
  const uninformative = (gate: UninformativeGate, reason: string): VerdictDecision =>
    ({ verdict: 'uninformative', verdictReason: reason, gate });
  const decided = (verdict: Verdict, reason: string): VerdictDecision => ({ verdict, verdictReason: reason });
  if (seeds.length === 0) return decided('inconclusive', 'no seed has finished');

  const full = seeds[0]!.accuracy.full;
  const flat = subroutines.find((n) => atChance(full[n]!));
  if (flat !== undefined) {
    return uninformative('full-model-at-chance',
      `the full model is at chance on ${flat}'s test set (${pct(full[flat]!)}, at-chance level ${pct(atChanceBelow)})`);
  }
  const own = mean(seeds.map((s) => s.accuracy.subnetwork[name]!))!;
  if (own < settings.minSubnetworkAccuracy * full[name]!) {
    return uninformative('subnetwork-did-not-learn', `the subnetwork reaches ${pct(own)} on its own test set, `
      + `below ${settings.minSubnetworkAccuracy} × the full model's ${pct(full[name]!)}`);
  }
  const draws = ra.perSeed.flatMap((p) => p.draws);
  const ablations = seeds.map((s) => s.accuracy.ablation);
  const everyAtChance = (rows: Record<string, number>[]) =>
    subroutines.every((n) => atChance(mean(rows.map((r) => r[n]!))!));
  if (draws.length > 0 && everyAtChance(draws) && everyAtChance(ablations)) {
    return uninformative('random-ablations-at-chance', 'random ablations of the same size and the learned ablation '
      + `leave every subroutine at chance (≤ ${pct(atChanceBelow)}): no room to see specificity`);
  }
  if (seeds.length < 2) return decided('inconclusive', `needs at least 2 seeds (have ${seeds.length})`);
  if (ra.p === null || ra.pAdjusted === null) {
    return decided('inconclusive', 'no random-ablation null (controls.randomAblations is 0)');
  }

  const s = stats.subnetworkScore;
  const a = stats.ablationScore;
  const pText = `specificity p = ${pNum(ra.p)}, Holm-adjusted ${pNum(ra.pAdjusted)} `
    + `(Fisher over ${seeds.length} seeds × ${ra.draws} random ablations)`;
  const nonPositive = seeds.filter((x) => x.subnetworkScore <= 0).map((x) => x.seed);
  if (ra.pAdjusted < settings.alpha && nonPositive.length === 0 && a.mean! < 0) {
    return decided('compositional', `ablation score ${num(a.mean)}${ci(a.ci95)} is more specific than size-matched `
      + `random ablations (${pText} < ${settings.alpha}); `
      + `subnetwork score > 0 in every seed (mean ${num(s.mean)}${ci(s.ci95)})`);
  }
  if (s.mean! <= 0) {
    return decided('not-compositional',
      `the subnetwork does not favour its own subroutine (mean subnetwork score ${num(s.mean)}${ci(s.ci95)})`);
  }
  if (a.mean! >= 0) {
    return decided('not-compositional', 'removing the subnetwork does not hurt its own subroutine more than the others '
      + `(mean ablation score ${num(a.mean)}${ci(a.ci95)})`);
  }
  if (ra.observedScoreMean! >= ra.nullScoreMean!) {
    return decided('not-compositional', 'removing the subnetwork is no more specific than removing random weights '
      + `(mean ablation score ${num(ra.observedScoreMean)} vs ${num(ra.nullScoreMean)} for random ablations; `
      + `${pText})`);
  }
  const why = [
    ...(ra.pAdjusted >= settings.alpha ? [`${pText} ≥ ${settings.alpha}`] : []),
    ...(nonPositive.length ? [`subnetwork score ≤ 0 in seed ${nonPositive.join(', ')}`] : []),
  ];
  return decided('inconclusive',
    `mean subnetwork score ${num(s.mean)} > 0 and mean ablation score ${num(a.mean)} < 0, but ${why.join('; ')}`);
}
