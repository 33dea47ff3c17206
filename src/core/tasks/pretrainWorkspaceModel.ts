// Pretrains a generated workspace's base model in place (the demo's "pretrained" variant): reads
// task-info.json (family, task, scene variation) and the spec's model, runs pretrainBaseModel on data
// from the task's own generator, and writes the pretrained weights back into model.onnx atomically.
// Fine-tuning on the compositional task (trainBaseModel) follows as for a model trained from scratch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSpec } from '../data/loadSpec';
import { readModel } from '../onnx/readModel';
import { writeModel } from '../onnx/writeModel';
import { TaskError } from './errors';
import {
  pretrainBaseModel, type PretrainCorpusOptions, type PretrainEpochStats, type PretrainOptions,
} from './pretrain';
import type { SceneVariation } from './renderScene';
import { TASKS, type TaskName, type VisionTaskName } from './taskCatalog';
import { findWorkspaceSpec } from './trainBaseModel';

export interface PretrainWorkspaceOptions extends Partial<Omit<PretrainOptions, 'onEpoch'>> {
  /** Sentences (language) or problems of 4 views (vision); defaults 2000 / 1000. */
  examples?: number;
  /** Vision: augmentation of the contrastive views. */
  augment?: PretrainCorpusOptions['augment'];
  onEpoch?(stats: PretrainEpochStats): void;
}

export interface WorkspacePretraining {
  family: 'vision' | 'language';
  objective: 'masked-token' | 'contrastive-odd-one-out';
  epochs: PretrainEpochStats[];
  /** Mean loss of the first and of the last epoch. */
  firstLoss: number;
  lastLoss: number;
  lastAccuracy: number;
  ms: number;
}

/** Defaults sized for the demo (about 20–40 s per model on 2 cores). */
export const PRETRAIN_DEFAULTS = {
  language: { epochs: 15, lr: 2e-3, batch: 64, examples: 2000 },
  vision: { epochs: 8, lr: 1e-3, batch: 32, examples: 1000 },
} as const;

export async function pretrainWorkspaceModel(
  workspaceDir: string, options: PretrainWorkspaceOptions = {},
): Promise<WorkspacePretraining> {
  const t0 = Date.now();
  const dir = path.resolve(workspaceDir);
  const infoPath = path.join(dir, 'task-info.json');
  if (!fs.existsSync(infoPath)) {
    throw new TaskError(`${dir} has no task-info.json (generate the workspace first)`, 'workspace', dir);
  }
  const info = JSON.parse(fs.readFileSync(infoPath, 'utf8')) as { task: TaskName; variation?: SceneVariation };
  const family = TASKS[info.task]?.family;
  if (!family) throw new TaskError(`task-info.json names an unknown task '${info.task}'`, 'task', info.task);
  const spec = loadSpec(findWorkspaceSpec(dir));
  const model = readModel(spec.model);
  const d = PRETRAIN_DEFAULTS[family];
  const epochs: PretrainEpochStats[] = [];
  const pretrained = await pretrainBaseModel(model, family, {
    seed: options.seed ?? 0, epochs: options.epochs ?? d.epochs, lr: options.lr ?? d.lr,
    batch: options.batch ?? d.batch,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onEpoch: (s) => { epochs.push(s); options.onEpoch?.(s); },
  }, family === 'vision'
    ? {
      examples: options.examples ?? d.examples,
      task: info.task as VisionTaskName,
      ...(options.augment ? { augment: options.augment } : {}),
      ...(info.variation ? { variation: info.variation } : {}),
    }
    : { examples: options.examples ?? d.examples });
  writeModel(spec.model, pretrained);
  return {
    family,
    objective: family === 'language' ? 'masked-token' : 'contrastive-odd-one-out',
    epochs,
    firstLoss: epochs[0]?.loss ?? NaN,
    lastLoss: epochs[epochs.length - 1]?.loss ?? NaN,
    lastAccuracy: epochs[epochs.length - 1]?.accuracy ?? NaN,
    ms: Date.now() - t0,
  };
}
