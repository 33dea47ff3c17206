// One generated odd-one-out problem set, in memory: the stimuli as the array fed to the model input,
// the odd index per problem, and (for tests and diagnostics, not written to disk) the property values.
import type { NamedArray } from '../data/dtype';
import type { Rng } from '../util/random';
import { GROUP, sampleProblemProperties, type ProblemKind } from './sampleProblemProperties';
import type { TaskName } from './taskCatalog';

export interface ProblemSet {
  task: TaskName;
  kind: ProblemKind;
  /** Model input name → stimuli of shape [problems, 4, …stimulus shape]. */
  inputs: Record<string, NamedArray>;
  /** int64 [problems]: index (0…3) of the odd stimulus. */
  labels: NamedArray;
  /** uint8 [problems, 4, 2]: property values (a, b) of each stimulus, as constructed. */
  properties: NamedArray;
}

/** The arrays written to a dataset file: the model inputs plus `labels`. */
export function problemSetArrays(set: ProblemSet): Record<string, NamedArray> {
  return { ...set.inputs, labels: set.labels };
}

/**
 * Samples `count` problems of `kind` and hands every stimulus's property values (a, b) to `stimulus`
 * in order (problem i, stimulus j), which writes its input; returns the labels and properties arrays.
 */
export function sampleProblems(
  kind: ProblemKind, count: number, rng: Rng, stimulus: (i: number, j: number, a: number, b: number) => void,
): Pick<ProblemSet, 'labels' | 'properties'> {
  const labels = new BigInt64Array(count);
  const properties = new Uint8Array(count * GROUP * 2);
  for (let i = 0; i < count; i++) {
    const { odd, values } = sampleProblemProperties(kind, rng);
    labels[i] = BigInt(odd);
    for (let j = 0; j < GROUP; j++) {
      const [a, b] = values[j]!;
      stimulus(i, j, a, b);
      properties[(i * GROUP + j) * 2] = a;
      properties[(i * GROUP + j) * 2 + 1] = b;
    }
  }
  return {
    labels: { dtype: 'int64', shape: [count], data: labels },
    properties: { dtype: 'uint8', shape: [count, GROUP, 2], data: properties },
  };
}
