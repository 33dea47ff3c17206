// Odd-one-out problem sets of rendered scenes for the vision tasks (see sampleProblemProperties for
// what each kind of set contains and taskCatalog for the properties of each task).
import type { Rng } from '../util/random';
import { TaskError } from './errors';
import { sampleProblems, type ProblemSet } from './ProblemSet';
import { renderScene, type SceneSpec, type SceneVariation } from './renderScene';
import { GROUP, type ProblemKind } from './sampleProblemProperties';
import { TASKS, type VisionTaskName } from './taskCatalog';

export const DEFAULT_IMAGE_SIZE = 48;

export interface VisionProblemOptions {
  /** Image side in pixels (default DEFAULT_IMAGE_SIZE). */
  imageSize?: number;
  /** Model input name (default `x`). */
  inputName?: string;
  /** Nuisance variation of the scenes (default `full`; see SceneVariation). */
  variation?: SceneVariation;
}

/** The scene for property values (a, b) of a task; the third relation is held fixed per task. */
export function sceneFor(task: VisionTaskName, a: number, b: number): SceneSpec {
  switch (task) {
    case 'inside-contact': return { inside: a === 1, contact: b === 1, count: 1 };
    case 'number-contact': return { inside: false, contact: b === 1, count: a === 1 ? 2 : 1 };
    case 'inside-number': return { inside: a === 1, contact: false, count: b === 1 ? 2 : 1 };
  }
}

/**
 * `count` problems of `kind` for a vision task, deterministic in (`rng` state). Stimuli are float32
 * [count, 4, 1, size, size] in [0, 1]: background 0, each shape in its own grey level (see renderScene).
 */
export function makeVisionProblems(
  task: VisionTaskName, kind: ProblemKind, count: number, rng: Rng, options: VisionProblemOptions = {},
): ProblemSet {
  if (TASKS[task]?.family !== 'vision') throw new TaskError(`'${task}' is not a vision task`, 'task', task);
  if (!Number.isInteger(count) || count < 0) {
    throw new TaskError(`problem count ${count} is not a non-negative integer`, 'count', count);
  }
  const size = options.imageSize ?? DEFAULT_IMAGE_SIZE;
  const pixels = size * size;
  const x = new Float32Array(count * GROUP * pixels);
  const sampled = sampleProblems(kind, count, rng, (i, j, a, b) => {
    x.set(renderScene(sceneFor(task, a, b), size, rng, options.variation ?? 'full').image, (i * GROUP + j) * pixels);
  });
  return {
    task, kind,
    inputs: { [options.inputName ?? 'x']: { dtype: 'float32', shape: [count, GROUP, 1, size, size], data: x } },
    ...sampled,
  };
}

