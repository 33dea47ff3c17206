// Which property values the four stimuli of one odd-one-out problem carry, and which one is odd.
// Shared by the vision and language generators, so both families follow the same construction.
import type { Rng } from '../util/random';

/**
 * The kinds of problem set, for a task composing property A and property B (each a yes/no
 * property of one stimulus, e.g. A = "the small shape is inside the outline", B = "it touches the
 * outline"). Every problem has 4 stimuli; `odd` is the index of the odd one (uniform over 0…3); the
 * other three are the *regular* stimuli. (a, b) ∈ {0,1}² are a stimulus's property values.
 *
 * - `task` — the compositional task (rule "A and B"): the three regular stimuli have (1, 1); the
 *   odd stimulus breaks the rule, with (0, 1), (1, 0) or (0, 0), each with probability 1/3.
 *   Used for `task_train` (base-model training) and `task` (compositional test set).
 * - `test-A` — the partition of the compositional task where only A decides: regular (1, 1), odd
 *   (0, 1). B = 1 in all four stimuli; the odd stimulus differs from the others in A alone.
 * - `test-B` — likewise: regular (1, 1), odd (1, 0). A = 1 in all four stimuli.
 * - `train-A` — the subroutine task for A (the rule on A alone): the three regular stimuli have
 *   A = 1, the odd one A = 0, as in the compositional task. B varies freely across the four stimuli,
 *   except that it never singles one stimulus out: B is drawn independently per stimulus and redrawn
 *   while exactly one stimulus differs from the other three (so B splits 4/0 or 2/2; 2/2 in 3 of 4
 *   problems). Hence the answer follows from A, and nothing B alone could point at helps; a model
 *   that applies the full rule "A and B" sees two or three rule-breakers in most problems.
 * - `train-B` — the same with the roles of A and B swapped.
 *
 * The validation sets of the subroutines are fresh draws of `train-A` / `train-B`.
 */
export type ProblemKind = 'task' | 'test-A' | 'test-B' | 'train-A' | 'train-B';

export const PROBLEM_KINDS: readonly ProblemKind[] = ['task', 'test-A', 'test-B', 'train-A', 'train-B'];

export interface ProblemProperties {
  /** Index (0…3) of the odd stimulus: the label. */
  odd: number;
  /** [a, b] per stimulus, 0 or 1. */
  values: [number, number][];
}

export const GROUP = 4;

/** Draws the property values of one problem of `kind` (see `ProblemKind` for the construction). */
export function sampleProblemProperties(kind: ProblemKind, rng: Rng): ProblemProperties {
  const odd = rng.int(GROUP);
  const values: [number, number][] = [];
  if (kind === 'task' || kind === 'test-A' || kind === 'test-B') {
    const oddValue: [number, number] = kind === 'test-A'
      ? [0, 1]
      : kind === 'test-B'
        ? [1, 0]
        : rng.pick([[0, 1], [1, 0], [0, 0]] as [number, number][]);
    for (let i = 0; i < GROUP; i++) values.push(i === odd ? [oddValue[0], oddValue[1]] : [1, 1]);
    return { odd, values };
  }
  const decisive = kind === 'train-A' ? 0 : 1;
  const free = freeBits(rng);
  for (let i = 0; i < GROUP; i++) {
    const v = i === odd ? 0 : 1;
    values.push(decisive === 0 ? [v, free[i]!] : [free[i]!, v]);
  }
  return { odd, values };
}

/** Four independent fair bits, redrawn while exactly one of them differs from the other three. */
function freeBits(rng: Rng): number[] {
  for (;;) {
    const bits = Array.from({ length: GROUP }, () => rng.int(2));
    const ones = bits.reduce((s, b) => s + b, 0);
    if (ones !== 1 && ones !== GROUP - 1) return bits;
  }
}
