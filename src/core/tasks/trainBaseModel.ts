// Trains a generated workspace's base model from its initial weights: every float initializer of rank ≥ 1
// is a parameter of the engine's weight-training mode (fused forward + backward + Adam), on the
// compositional task `data/task_train.npz`; then scores it on `data/task.npz` (and `data/task_val.npz`
// when present) and writes the trained weights back into `model.onnx` atomically.
// Schedule: constant lr until the validation accuracy reaches `decayAt` (or 70 % of the epochs are spent),
// then lr/3 and lr/10 phases. On the built-in tasks (batch 64), lr 3e-3 (vision CNN) and 2e-3 (transformer)
// converge within about 10 epochs; a higher rate at a smaller batch can leave the CNN at chance.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProgressEvent } from '../../shared/jobs';
import { loadSpec } from '../data/loadSpec';
import { datasetAsTrainingData, type OpenedData } from '../data/datasetAsTrainingData';
import { resolveOutput } from '../data/resolveOutput';
import { DataType, type Model } from '../onnx/ir';
import { isMaskable } from '../masks/isMaskable';
import { readModel } from '../onnx/readModel';
import { writeModel } from '../onnx/writeModel';
import { buildTrainingGraph } from '../train/buildTrainingGraph';
import { Evaluator } from '../train/Evaluator';
import { Trainer, type FloatArray, type TrainStepStats } from '../train/Trainer';
import { TaskError } from './errors';

export interface TrainBaseModelOptions {
  seed?: number;
  /** Passes over task_train.npz (default 20). */
  epochs?: number;
  /** Adam learning rate (default 3e-3). */
  lr?: number;
  /** Problems per step (default 64). */
  batch?: number;
  /** onnxruntime intra-op threads (default: one per core). */
  threads?: number;
  /**
   * Step-decay the learning rate: after any warm-up, the rest at lr, then 20 % of the epochs at lr/3 and
   * 10 % at lr/10 (default true); see lrPhases.
   */
  decay?: boolean;
  /** Epochs at lr/10 before the constant phase (default 0); see lrPhases. */
  warmupEpochs?: number;
  /**
   * Validation accuracy (data/task_val.npz) at which the constant-lr phase ends early and the decay begins
   * (default 0.9).
   */
  decayAt?: number;
  /**
   * Weight-sparse training: after every update keep only the fraction `keep` of each maskable weight
   * tensor (rank ≥ 2) with the largest magnitudes; biases and normalisation scales stay dense.
   */
  sparsity?: { keep: number };
  signal?: AbortSignal;
  onProgress?(event: ProgressEvent): void;
}

export interface BaseModelTraining {
  /** Accuracy on data/task.npz (the compositional test set). */
  testAccuracy: number;
  /** Accuracy on data/task_val.npz, when the workspace has it. */
  validationAccuracy?: number;
  /** Accuracy of the untrained model on data/task.npz (≈ chance). */
  initialAccuracy: number;
  /** Train accuracy of the last step. */
  trainAccuracy: number;
  epochs: number;
  steps: number;
  /** Trained parameters (initializers) and their element count. */
  tensors: number;
  parameters: number;
  ms: number;
  cancelled: boolean;
}

/** The one `*.subnet.json` of a generated workspace. */
export function findWorkspaceSpec(workspaceDir: string): string {
  const specs = fs.readdirSync(workspaceDir).filter((f) => f.endsWith('.subnet.json'));
  if (specs.length !== 1) {
    const found = specs.length === 0 ? 'none' : specs.join(', ');
    throw new TaskError(`expected exactly one *.subnet.json in ${workspaceDir}, found ${found}`,
      'workspace', workspaceDir);
  }
  return path.join(workspaceDir, specs[0]!);
}

/** Float initializers of rank ≥ 1 (scalar constants such as an attention scale stay fixed). */
export function trainableInitializers(model: Model): string[] {
  return [...model.graph.initializers.values()]
    .filter((t) => t.dataType === DataType.FLOAT && t.dims.length >= 1)
    .map((t) => t.name);
}

export async function trainBaseModel(
  workspaceDir: string, options: TrainBaseModelOptions = {},
): Promise<BaseModelTraining> {
  const t0 = Date.now();
  const dir = path.resolve(workspaceDir);
  const spec = loadSpec(findWorkspaceSpec(dir));
  const model = readModel(spec.model);
  const output = resolveOutput(model, spec);
  const tensors = trainableInitializers(model);
  const epochs = options.epochs ?? 20;
  const batch = options.batch ?? 64;
  const lr = options.lr ?? 3e-3;
  const seed = options.seed ?? 0;

  const opened: OpenedData[] = [];
  const open = (rel: string): OpenedData | undefined => {
    const file = path.join(dir, rel);
    if (!fs.existsSync(file)) return undefined;
    const d = datasetAsTrainingData(file, model, spec);
    opened.push(d);
    return d;
  };
  try {
    const train = open('data/task_train.npz');
    const test = open('data/task.npz');
    if (!train || !test) {
      throw new TaskError(`${dir} has no data/task_train.npz or data/task.npz (generate the workspace first)`,
        'workspace', dir);
    }
    const validation = open('data/task_val.npz');

    const evaluator = await Evaluator.create(model, {
      output, head: spec.head, replaced: tensors, threads: options.threads,
    });
    try {
      const initial = new Map(tensors.map((n) => [n, model.graph.initializers.get(n)!.data as Float32Array]));
      const initialAccuracy = (await evaluator.evaluate(test, initial)).accuracy;

      const tg = await buildTrainingGraph(model, {
        output, head: spec.head, target: { kind: 'weights' }, tensors, update: 'adam',
      });
      const initialCopy = new Map([...initial].map(([k, v]) => [k, v.slice() as FloatArray]));
      const trainer = await Trainer.create(tg, initialCopy, options.threads);
      const stepsPerEpoch = Math.max(1, Math.floor(train.size / batch));
      const total = epochs * stepsPerEpoch;
      const every = Math.max(1, Math.floor(stepsPerEpoch / 4));
      let done = { steps: 0, epochs: 0 };
      let last: TrainStepStats | undefined;
      let cancelled = false;
      const decayAt = options.decayAt ?? 0.9;
      const phases = lrPhases(epochs, options.decay ?? true, options.warmupEpochs);
      const sparsity = options.sparsity && {
        keep: options.sparsity.keep,
        tensors: tensors.filter((n) => isMaskable(model.graph.initializers.get(n)!)),
      };
      try {
        // Each phase is one `train` call (fresh Adam moments) continuing from the current weights. The
        // constant-lr phase ends early once the validation accuracy reaches `decayAt`; the decay phases follow.
        for (const [i, phase] of phases.entries()) {
          const offset = done;
          const enough = new AbortController();
          const adaptive = phase.kind === 'constant'
            && phases.some((p) => p.kind === 'decay')
            && validation !== undefined;
          const signal = options.signal ? AbortSignal.any([options.signal, enough.signal]) : enough.signal;
          const result = await trainer.train(train, {
            epochs: phase.epochs, batch, lr: lr * phase.factor, seed: seed + 7919 * i, signal, sparsity,
            onStep: (s) => {
              const step = offset.steps + s.step;
              last = s;
              if (step % every !== 0) return;
              options.onProgress?.({
                fraction: Math.min(1, step / total), phase: 'train-base', step, steps: total, loss: s.headLoss,
                accuracy: s.accuracy,
                message: `training the base model: epoch ${offset.epochs + s.epoch + 1}/${epochs}, `
                  + `step ${step}/${total}, lr ${(lr * phase.factor).toPrecision(2)}, `
                  + `loss ${s.headLoss.toFixed(3)}, batch accuracy ${(100 * s.accuracy).toFixed(0)}%`,
              });
            },
            ...(adaptive ? {
              onEpoch: async (c) => {
                const weights = new Map(Object.entries(c.params).map(([k, v]) => [
                  k, v instanceof Float32Array ? v : Float32Array.from(v),
                ]));
                const acc = (await evaluator.evaluate(validation!, weights)).accuracy;
                options.onProgress?.({
                  fraction: Math.min(1, (offset.steps + c.step) / total), phase: 'train-base', accuracy: acc,
                  message: `training the base model: epoch ${c.epoch}/${epochs}, `
                    + `validation accuracy ${(100 * acc).toFixed(1)}%`,
                });
                if (acc >= decayAt && c.epoch < phase.epochs) enough.abort();
              },
            } : {}),
          });
          done = { steps: offset.steps + result.steps, epochs: offset.epochs + result.epochs };
          if (result.cancelled && options.signal?.aborted) { cancelled = true; break; }
        }
      } finally {
        await trainer.release();
      }
      const result = { params: trainer.params, steps: done.steps, epochs: done.epochs, last, cancelled };
      const trainedWeights = new Map([...result.params].map(([k, v]) => [k, Float32Array.from(v)]));
      const testAccuracy = (await evaluator.evaluate(test, trainedWeights)).accuracy;
      const validationAccuracy = validation
        ? (await evaluator.evaluate(validation, trainedWeights)).accuracy
        : undefined;
      if (!result.cancelled) {
        const initializers = new Map(model.graph.initializers);
        for (const [k, v] of trainedWeights) {
          initializers.set(k, { ...initializers.get(k)!, data: v, proto: undefined, external: undefined });
        }
        writeModel(spec.model, { ...model, graph: { ...model.graph, initializers }, proto: model.proto });
      }
      const parameters = tensors.reduce((n, k) => n + model.graph.initializers.get(k)!.data.length, 0);
      return {
        testAccuracy, ...(validationAccuracy !== undefined ? { validationAccuracy } : {}), initialAccuracy,
        trainAccuracy: result.last?.accuracy ?? NaN, epochs: result.epochs, steps: result.steps,
        tensors: tensors.length, parameters, ms: Date.now() - t0, cancelled: result.cancelled,
      };
    } finally {
      await evaluator.release();
    }
  } finally {
    for (const d of opened) d.dataset.close();
  }
}

export interface LrPhase {
  epochs: number;
  /** Multiplies the base learning rate. */
  factor: number;
  kind: 'warmup' | 'constant' | 'decay';
}

/**
 * Epoch counts and learning-rate factors: `warmup` epochs at lr/10 (kept only when at least 3 epochs
 * remain), then the constant phase and, with `decay`, 20 % of the epochs at lr/3 and 10 % at lr/10
 * (phases with no epochs are dropped).
 */
export function lrPhases(epochs: number, decay: boolean, warmupEpochs = 0): LrPhase[] {
  const warmup = epochs - warmupEpochs >= 3 ? warmupEpochs : 0;
  const rest = epochs - warmup;
  const phases: LrPhase[] = [{ epochs: warmup, factor: 0.1, kind: 'warmup' }];
  if (!decay || rest < 3) {
    phases.push({ epochs: rest, factor: 1, kind: 'constant' });
  } else {
    const second = Math.max(1, Math.round(0.2 * epochs));
    const third = Math.max(1, Math.round(0.1 * epochs));
    phases.push(
      { epochs: rest - second - third, factor: 1, kind: 'constant' },
      { epochs: second, factor: 1 / 3, kind: 'decay' },
      { epochs: third, factor: 0.1, kind: 'decay' },
    );
  }
  return phases.filter((p) => p.epochs > 0);
}
