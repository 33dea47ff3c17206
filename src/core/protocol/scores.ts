// Chance-floored subnetwork and ablation scores (DESIGN.md §1, step 4), generalised to N ≥ 2 subroutines.
import type { AccuracyByTestSet } from '../../shared/results';
import type { HeadSpec } from '../../shared/spec';

/** Chance accuracy: 1/k for odd-one-out over k stimuli, 1/classes for classification. */
export function chanceLevel(head: HeadSpec, classes?: number): number {
  if (head.type === 'odd-one-out') return 1 / head.group;
  if (!classes || classes < 1)
    throw new Error('chanceLevel: classify needs the number of classes (the model output size)');
  return 1 / classes;
}

/**
 * Score of the mask trained for `subroutine` under one condition (subnetwork or ablation):
 *   max(acc(test own), c) − mean over the other subroutines o of max(acc(test o), c).
 * With two subroutines this is the paper's max(acc(test X), c) − max(acc(test other), c). The `task`
 * test set never enters a score. Subnetwork score > 0: the subnetwork keeps its own subroutine better
 * than the others; ablation score < 0: removing it hurts its own subroutine more than the others.
 */
export function conditionScore(accuracy: AccuracyByTestSet, subroutine: string, subroutines: readonly string[],
  chance: number): number {
  const floor = (name: string): number => {
    const a = accuracy[name];
    if (a === undefined || !Number.isFinite(a)) throw new Error(`conditionScore: no accuracy for test set '${name}'`);
    return Math.max(a, chance);
  };
  const others = subroutines.filter((s) => s !== subroutine);
  if (others.length === 0) throw new Error('conditionScore: needs at least two subroutines');
  return floor(subroutine) - others.reduce((acc, o) => acc + floor(o), 0) / others.length;
}
