// A pruned base model (`subnetwork-lens prune`): one continuous-sparsification mask trained on the whole
// compositional task, and the result baked into a new runnable model. What is kept: the mask's own solution
// (every weight whose logit ended above 0, the reference's construction), or the fraction `keep` of masked
// weights with the largest logits, or, with a ladder of keep fractions, the smallest fraction that keeps
// most of the unpruned accuracy on held-out data.
import type { JobHooks } from '../shared/jobs';
import { loadSpec, selectInitializers } from '../core/data/loadSpec';
import { datasetAsTrainingData, type OpenedData } from '../core/data/datasetAsTrainingData';
import { readModel } from '../core/onnx/readModel';
import { elementCount } from '../core/onnx/ir';
import { maskableInitializers } from '../core/masks/maskableInitializers';
import { buildTrainingGraph } from '../core/train/buildTrainingGraph';
import { Evaluator } from '../core/train/Evaluator';
import { Trainer, type FloatArray } from '../core/train/Trainer';
import { TrainerError } from '../core/train/errors';
import { applyMask, type Masks } from '../core/masks/applyMask';
import { oneShotScores } from '../core/train/oneShotMask';
import { binaryMask } from '../core/masks/maskMethods';
import { exportMaskedModel } from './exportModel';

export interface PruneOptions {
  specPath: string;
  workspaceRoot?: string;
  /**
   * `mask-solution`: the trained mask's own s > 0 weights; a number: that fraction of the masked weights,
   * ranked by logit across all masked tensors; or a ladder of such fractions to choose from.
   */
  keep: number | KeepLadder | 'mask-solution';
  /** Held-out task data to report the accuracy on before and after pruning (never a partition test set). */
  validation?: string;
  outPath: string;
  seed?: number;
  threads?: number;
}

/**
 * Choose the keep fraction: the smallest of `fractions` whose pruned model keeps at least `retain` × the
 * unpruned model's accuracy on `data` (the largest fraction if none does). `data` should be held-out task
 * data that nothing later scores, e.g. the task's validation set, never a partition test set.
 */
export interface KeepLadder {
  fractions: number[];
  retain: number;
  data: string;
}

export interface PruneResult {
  outPath: string;
  keptFraction: number;
  /** Accuracy on the task's test set before and after pruning. */
  accuracyBefore: number;
  accuracyAfter: number;
  examples: number;
  /**
   * With a ladder: the unpruned accuracy on its data and each fraction tried (smallest first)
   * with its accuracy there.
   */
  ladder?: { accuracyBefore: number; tried: { keep: number; accuracy: number }[] };
  /** With `validation`: the accuracy there before and after pruning. */
  validationAccuracy?: { before: number; after: number };
  /** The pruning mask's training: optimiser steps and last-epoch train accuracy. */
  maskTraining: { steps: number; trainAccuracy: number | null };
}

export async function pruneModel(options: PruneOptions, hooks: JobHooks): Promise<PruneResult> {
  const spec = loadSpec(options.specPath, { workspaceRoot: options.workspaceRoot });
  if (!spec.task?.train) {
    throw new TrainerError(`${spec.specPath}: pruning trains on the whole task: the spec needs task.train`);
  }
  const model = readModel(spec.model);
  const output = spec.output ?? model.graph.outputs[0]!.name;
  const masked = selectInitializers(maskableInitializers(model), spec.mask.include, spec.mask.exclude);
  const train = datasetAsTrainingData(spec.task.train, model, spec);
  const test = datasetAsTrainingData(spec.task.test, model, spec);
  const ladder = typeof options.keep === 'object' ? options.keep : undefined;
  const selection = ladder && datasetAsTrainingData(ladder.data, model, spec);
  const validation = options.validation ? datasetAsTrainingData(options.validation, model, spec) : undefined;
  try {
    const m = spec.mask;
    const tg = await buildTrainingGraph(model, {
      output, head: spec.head, tensors: masked, update: 'adam',
      target: { kind: 'mask', method: 'continuous-sparsification', lambda: m.lambda },
    });
    const initialLogits = new Map(tg.tensors.map((t) => [
      t.initializer, new Float32Array(elementCount(t.shape)).fill(m.init) as FloatArray,
    ]));
    const trainer = await Trainer.create(tg, initialLogits, options.threads);
    const steps = m.epochs * Math.max(1, Math.floor(train.size / m.batch));
    const res = await trainer.train(train, {
      epochs: m.epochs, batch: m.batch, lr: m.lr, seed: options.seed ?? 0, temperature: m.temperature,
      signal: hooks.signal,
      onStep: (s) => hooks.onProgress({
        fraction: s.step / steps, phase: 'train-mask', message: `pruning mask: step ${s.step}/${steps}`,
        step: s.step, steps, loss: s.loss, keptFraction: s.keptFraction, beta: s.beta,
      }),
    });
    await trainer.release();
    if (res.cancelled) throw new TrainerError('pruning was cancelled');
    // Rank by logit, not magnitude: the largest logits are the weights the mask is surest to keep.
    const scores = shiftedPositive(masked.map((n) => [n, res.params.get(n)!]));
    const logits = (name: string) => scores.get(name)!;
    const evaluator = await Evaluator.create(model, {
      output, head: spec.head, replaced: masked, threads: options.threads,
    });
    const weights = new Map(masked.map((n) => [n, model.graph.initializers.get(n)!.data as Float32Array]));
    const cut = (keep: number): Masks => oneShotScores(masked, logits, keep, 'global');
    const accuracyOn = async (data: OpenedData, masks?: Masks) => (
      await evaluator.evaluate(data, masks ? applyMask(weights, masks, true, 'zero') : weights)
    ).accuracy;
    const keep = options.keep;
    const chosen = ladder
      ? await climbLadder(ladder, cut, (masks) => accuracyOn(selection!, masks))
      : { masks: keep === 'mask-solution' ? maskSolution(res.params, masked) : cut(keep as number) };
    const masks = chosen.masks;
    const accuracyBefore = await accuracyOn(test);
    const accuracyAfter = await accuracyOn(test, masks);
    const validationAccuracy = validation
      && { before: await accuracyOn(validation), after: await accuracyOn(validation, masks) };
    await evaluator.release();
    const written = await exportMaskedModel(model, masks, { mode: 'keep-only', outPath: options.outPath });
    const kept = [...masks.values()].reduce((n, mk) => n + mk.reduce((a, b) => a + b, 0), 0);
    return {
      outPath: written.outPath, keptFraction: kept / written.maskedWeights, accuracyBefore, accuracyAfter,
      examples: test.size, ...('ladder' in chosen ? { ladder: chosen.ladder } : {}),
      ...(validationAccuracy ? { validationAccuracy } : {}),
      maskTraining: { steps: res.steps, trainAccuracy: res.last?.accuracy ?? null },
    };
  } finally {
    train.dataset.close();
    test.dataset.close();
    selection?.dataset.close();
    validation?.dataset.close();
  }
}

/** The mask's own solution: every masked weight whose logit ended above 0. */
function maskSolution(logits: Map<string, FloatArray>, masked: string[]): Masks {
  return new Map(masked.map((name) => [name, binaryMask(logits.get(name)!)]));
}

/**
 * The ladder's smallest fraction whose pruned model keeps `retain` of the unpruned accuracy (else its largest),
 * and every fraction tried.
 */
async function climbLadder(
  ladder: KeepLadder,
  cut: (keep: number) => Masks,
  accuracy: (masks?: Masks) => Promise<number>,
): Promise<{ masks: Masks; ladder: NonNullable<PruneResult['ladder']> }> {
  const fractions = [...ladder.fractions].sort((a, b) => a - b);
  if (fractions.length === 0 || !fractions.every((f) => f > 0 && f <= 1)) {
    throw new TrainerError(`the keep ladder needs fractions in (0, 1], got [${ladder.fractions.join(', ')}]`);
  }
  const accuracyBefore = await accuracy();
  const tried: { keep: number; accuracy: number }[] = [];
  let masks: Masks | undefined;
  for (const keep of fractions) {
    masks = cut(keep);
    tried.push({ keep, accuracy: await accuracy(masks) });
    if (tried.at(-1)!.accuracy >= ladder.retain * accuracyBefore) break;
  }
  return { masks: masks!, ladder: { accuracyBefore, tried } };
}

/**
 * Logits shifted to be positive, all by the same amount, so that ranking by magnitude ranks by value across
 * tensors (a shift per tensor would move whole tensors up or down the global ranking).
 */
export function shiftedPositive(logits: [string, FloatArray][]): Map<string, Float32Array> {
  let min = Infinity;
  for (const [, l] of logits) for (const x of l) min = Math.min(min, x);
  return new Map(logits.map(([name, l]) => [name, Float32Array.from(l, (x) => x - min + 1e-6)]));
}
