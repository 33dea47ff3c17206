// The one rule by which the protocol and the demo choose among mask configurations: validation accuracy
// first, then sparsity. Only those two figures enter it, never a test set or an ablation outcome.

/** What a candidate is judged on. */
export interface SelectionScore {
  /** Accuracy on held-out validation data. */
  validation: number;
  /** Fraction of the masked weights the candidate keeps. */
  kept: number;
}

/**
 * Among the candidates whose validation accuracy is within `tolerance` of the best, the one keeping the
 * fewest weights; ties go to the earlier candidate.
 */
export function chooseSparsestWithin<T>(
  candidates: T[], tolerance: number, score: (candidate: T) => SelectionScore,
): T {
  const scored = candidates.map((candidate) => ({ candidate, ...score(candidate) }));
  const best = Math.max(...scored.map((s) => s.validation));
  const close = scored.filter((s) => s.validation >= best - tolerance);
  return close.reduce((a, b) => (b.kept < a.kept ? b : a)).candidate;
}
