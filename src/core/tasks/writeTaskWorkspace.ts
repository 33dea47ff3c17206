// Writes a complete, ready-to-run workspace for one built-in task:
//   model.onnx                  the untrained base model (the engine's weight training trains it)
//   data/task_train.npz         compositional task, for training the base model
//   data/task_val.npz           compositional task, held out for base-model selection / early stopping
//   data/task.npz               compositional task, test set (test set `task` of the spec)
//   data/A_train.npz, A_val.npz subroutine task for property A (mask training / validation)
//   data/A_test.npz             partition of the compositional task where only A decides
//   data/B_…                    the same for property B
//   <task>.subnet.json          the spec (odd-one-out head, group 4; subroutines named after the properties)
//   task-info.json              what was generated: family, properties, seed, sizes, vocabulary
// Every dataset has the model input `x` ([problems, 4, …]) and int64 `labels` (odd index), and comes
// from its own random stream derived from (seed, task, file), so sizes of one set never change another.
import * as path from 'node:path';
import { writeNpz } from '../data/writeNpz';
import type { Model } from '../onnx/ir';
import { writeModel } from '../onnx/writeModel';
import { Rng } from '../util/random';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { DEFAULT_SEQUENCE_LENGTH, VOCAB } from './agreementGrammar';
import { TaskError } from './errors';
import { makeLanguageModel, type LanguageModelOptions } from './makeLanguageModel';
import { makeLanguageProblems } from './makeLanguageProblems';
import { makeVisionModel, type VisionModelOptions } from './makeVisionModel';
import { DEFAULT_IMAGE_SIZE, makeVisionProblems } from './makeVisionProblems';
import type { SceneVariation } from './renderScene';
import { problemSetArrays, type ProblemSet } from './ProblemSet';
import type { ProblemKind } from './sampleProblemProperties';
import { TASKS, type LanguageTaskName, type TaskFamily, type TaskName, type VisionTaskName } from './taskCatalog';

/** Problems per file. */
export interface WorkspaceSizes {
  /** task_train.npz (default 4000). */
  taskTrain: number;
  /** task_val.npz (default 500; 0 skips the file). */
  taskValidation: number;
  /** task.npz (default 500). */
  taskTest: number;
  /** A_train / B_train (default 2000). */
  train: number;
  /** A_val / B_val (default 250; 0 skips the files and the spec's `validation`). */
  validation: number;
  /** A_test / B_test (default 500). */
  test: number;
}

/** Presets: `quick` for tests and `--quick`, `default` for the demo, `full` for `--full`. */
export const WORKSPACE_SIZES: Record<'quick' | 'default' | 'full', WorkspaceSizes> = {
  quick: { taskTrain: 1000, taskValidation: 100, taskTest: 200, train: 500, validation: 100, test: 200 },
  default: { taskTrain: 4000, taskValidation: 500, taskTest: 500, train: 2000, validation: 250, test: 500 },
  full: { taskTrain: 10000, taskValidation: 1000, taskTest: 1000, train: 5000, validation: 500, test: 1000 },
};

export interface TaskWorkspaceOptions {
  family?: TaskFamily;
  task: TaskName;
  /** Seeds both the data and the model's initial weights. */
  seed: number;
  /** Overrides of the default sizes. */
  sizes?: Partial<WorkspaceSizes>;
  /** Vision: image side (default DEFAULT_IMAGE_SIZE). */
  imageSize?: number;
  /** Vision: nuisance variation of the scenes (default `full`; see SceneVariation). */
  variation?: SceneVariation;
  /** Language: padded sentence length (default 12). */
  sequenceLength?: number;
  /** Architecture overrides (seed and input geometry are set from the options above). */
  model?: Partial<Omit<VisionModelOptions & LanguageModelOptions, 'seed' | 'imageSize' | 'sequenceLength'>>;
  /** Mask-training defaults written to the spec (merged over the built-in ones). */
  mask?: Record<string, unknown>;
  /** Seeds written to the spec (default [0, 1, 2]). */
  specSeeds?: number[];
  /** Called after each file is written (progress output). */
  onFile?: (file: string) => void;
}

export interface TaskWorkspace {
  dir: string;
  /** Absolute path of the spec. */
  spec: string;
  model: string;
  /** Subroutine (property) name → absolute paths of its files. */
  subroutines: Record<string, { train: string; test: string; validation?: string }>;
  task: { train: string; test: string; validation?: string };
  sizes: WorkspaceSizes;
}

const DEFAULT_MASK = {
  method: 'continuous-sparsification', init: 0.05, lambda: 1e-8, lr: 0.05, epochs: 30, batch: 64, temperature: [1, 200],
};

export function writeTaskWorkspace(dir: string, options: TaskWorkspaceOptions): TaskWorkspace {
  const info = TASKS[options.task];
  if (!info) {
    throw new TaskError(`unknown task '${options.task}' (built-in: ${Object.keys(TASKS).join(', ')})`,
      'task', options.task);
  }
  if (options.family && options.family !== info.family) {
    throw new TaskError(`task '${options.task}' belongs to family '${info.family}', not '${options.family}'`,
      'family', options.family);
  }
  if (!Number.isInteger(options.seed)) {
    throw new TaskError(`seed ${options.seed} is not an integer`, 'seed', options.seed);
  }
  const sizes: WorkspaceSizes = { ...WORKSPACE_SIZES.default, ...options.sizes };
  for (const [k, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 0) {
      throw new TaskError(`size '${k}' = ${v} is not a non-negative integer`, `sizes.${k}`, v);
    }
  }
  for (const k of ['taskTrain', 'taskTest', 'train', 'test'] as const) {
    if (sizes[k] < 1) throw new TaskError(`size '${k}' must be at least 1`, `sizes.${k}`, sizes[k]);
  }
  const root = path.resolve(dir);
  const { seed, task } = options;
  const imageSize = options.imageSize ?? DEFAULT_IMAGE_SIZE;
  const variation = options.variation ?? 'full';
  const sequenceLength = options.sequenceLength ?? DEFAULT_SEQUENCE_LENGTH;

  const generate = (kind: ProblemKind, count: number, file: string): ProblemSet => {
    const rng = Rng.derive(seed, task, file);
    return info.family === 'vision'
      ? makeVisionProblems(task as VisionTaskName, kind, count, rng, { imageSize, variation })
      : makeLanguageProblems(task as LanguageTaskName, kind, count, rng, { sequenceLength });
  };
  const write = (rel: string, kind: ProblemKind, count: number): string => {
    const file = path.join(root, rel);
    writeNpz(file, problemSetArrays(generate(kind, count, rel)), { compress: true });
    options.onFile?.(file);
    return file;
  };

  const model: Model = info.family === 'vision'
    ? makeVisionModel({ ...options.model, seed, imageSize })
    : makeLanguageModel({ ...options.model, seed, sequenceLength });
  const modelPath = path.join(root, 'model.onnx');
  writeModel(modelPath, model);
  options.onFile?.(modelPath);

  const taskFiles: TaskWorkspace['task'] = {
    train: write('data/task_train.npz', 'task', sizes.taskTrain),
    test: write('data/task.npz', 'task', sizes.taskTest),
  };
  if (sizes.taskValidation > 0) taskFiles.validation = write('data/task_val.npz', 'task', sizes.taskValidation);

  const subroutines: TaskWorkspace['subroutines'] = {};
  const specSubroutines: Record<string, Record<string, string>> = {};
  info.properties.forEach((property, i) => {
    const letter = i === 0 ? 'A' : 'B';
    const entry: TaskWorkspace['subroutines'][string] = {
      train: write(`data/${letter}_train.npz`, `train-${letter}`, sizes.train),
      test: write(`data/${letter}_test.npz`, `test-${letter}`, sizes.test),
    };
    specSubroutines[property] = { train: `data/${letter}_train.npz`, test: `data/${letter}_test.npz` };
    if (sizes.validation > 0) {
      entry.validation = write(`data/${letter}_val.npz`, `train-${letter}`, sizes.validation);
      specSubroutines[property]!.validation = `data/${letter}_val.npz`;
    }
    subroutines[property] = entry;
  });

  const spec = {
    model: 'model.onnx',
    output: 'z',
    head: { type: 'odd-one-out', group: 4 },
    subroutines: specSubroutines,
    task: { test: 'data/task.npz' },
    mask: { ...DEFAULT_MASK, ...options.mask },
    seeds: options.specSeeds ?? [0, 1, 2],
  };
  const specPath = path.join(root, `${task}.subnet.json`);
  writeFileAtomic(specPath, `${JSON.stringify(spec, null, 2)}\n`);
  options.onFile?.(specPath);

  const meta = {
    family: info.family,
    task,
    summary: info.summary,
    properties: { A: info.properties[0], B: info.properties[1] },
    seed,
    sizes,
    ...(info.family === 'vision' ? { imageSize, variation } : { sequenceLength, vocab: VOCAB }),
    files: {
      'data/task_train.npz': 'compositional task (regular stimuli have A and B; the odd one lacks A, B or both): '
        + 'base-model training',
      'data/task_val.npz': 'compositional task, held out for base-model validation',
      'data/task.npz': 'compositional task, test set',
      'data/A_train.npz': 'the three regular stimuli have A, the odd one lacks it; '
        + 'B varies but never singles out a stimulus (mask training for A)',
      'data/A_val.npz': 'held-out draw of the A_train distribution',
      'data/A_test.npz': 'compositional-task partition: all four have B; only the odd one lacks A',
      'data/B_train.npz': 'the three regular stimuli have B, the odd one lacks it; '
        + 'A varies but never singles out a stimulus',
      'data/B_val.npz': 'held-out draw of the B_train distribution',
      'data/B_test.npz': 'compositional-task partition: all four have A; only the odd one lacks B',
    },
  };
  const metaPath = path.join(root, 'task-info.json');
  writeFileAtomic(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  options.onFile?.(metaPath);

  return { dir: root, spec: specPath, model: modelPath, subroutines, task: taskFiles, sizes };
}
