// One generated odd-one-out problem set, in memory: the stimuli as the array fed to the model input,
// the odd index per problem, and (for tests and diagnostics, not written to disk) the property values.
import type { NamedArray } from '../data/dtype';
import type { ProblemKind } from './sampleProblemProperties';
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
