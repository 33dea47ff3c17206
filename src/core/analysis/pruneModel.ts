// The sparse-variant base model (`subnetwork-lens prune`): one continuous-sparsification mask trained on
// the whole compositional task, the fraction `keep` of masked weights with the largest logits kept, and
// the result baked into a new runnable model.
import type { JobHooks } from '../../shared/jobs';
import { loadSpec, selectInitializers } from '../data/loadSpec';
import { datasetAsTrainingData } from '../data/datasetAsTrainingData';
import { readModel } from '../onnx/readModel';
import { elementCount } from '../onnx/ir';
import { isMaskable } from '../onnx/layerGraph';
import { buildTrainingGraph } from '../train/buildTrainingGraph';
import { Evaluator } from '../train/Evaluator';
import { Trainer, type FloatArray } from '../train/Trainer';
import { TrainerError } from '../train/errors';
import { applyMask, type Masks } from '../masks/applyMask';
import { oneShotScores } from '../masks/oneShotMask';
import { exportMaskedModel } from './exportModel';

export interface PruneOptions {
  specPath: string;
  workspaceRoot?: string;
  /** Fraction of the masked weights kept, ranked across all masked tensors. */
  keep: number;
  outPath: string;
  seed?: number;
  threads?: number;
}

export interface PruneResult {
  outPath: string;
  keptFraction: number;
  /** Accuracy on the task's test set before and after pruning. */
  accuracyBefore: number;
  accuracyAfter: number;
  examples: number;
}

export async function pruneModel(options: PruneOptions, hooks: JobHooks): Promise<PruneResult> {
  const spec = loadSpec(options.specPath, { workspaceRoot: options.workspaceRoot });
  if (!spec.task?.train) throw new TrainerError(`${spec.specPath}: pruning trains on the whole task: the spec needs task.train`);
  const model = readModel(spec.model);
  const output = spec.output ?? model.graph.outputs[0]!.name;
  const masked = selectInitializers([...model.graph.initializers.values()].filter((t) => isMaskable(t)).map((t) => t.name), spec.mask.include, spec.mask.exclude);
  const train = datasetAsTrainingData(spec.task.train, model, spec);
  const test = datasetAsTrainingData(spec.task.test, model, spec);
  try {
    const m = spec.mask;
    const tg = await buildTrainingGraph(model, { output, head: spec.head, tensors: masked, update: 'adam', target: { kind: 'mask', method: 'continuous-sparsification', lambda: m.lambda } });
    const trainer = await Trainer.create(tg, new Map(tg.tensors.map((t) => [t.initializer, new Float32Array(elementCount(t.shape)).fill(m.init) as FloatArray])), options.threads);
    const steps = m.epochs * Math.max(1, Math.floor(train.size / m.batch));
    const res = await trainer.train(train, {
      epochs: m.epochs, batch: m.batch, lr: m.lr, seed: options.seed ?? 0, temperature: m.temperature, signal: hooks.signal,
      onStep: (s) => hooks.onProgress({ fraction: s.step / steps, phase: 'train-mask', message: `pruning mask: step ${s.step}/${steps}`, step: s.step, steps, loss: s.loss, keptFraction: s.keptFraction, beta: s.beta }),
    });
    await trainer.release();
    if (res.cancelled) throw new TrainerError('pruning was cancelled');
    // Rank by logit, not magnitude: the largest logits are the weights the mask is surest to keep.
    const masks: Masks = oneShotScores(masked, (name) => shiftPositive(res.params.get(name)!), options.keep, 'global');
    const evaluator = await Evaluator.create(model, { output, head: spec.head, replaced: masked, threads: options.threads });
    const weights = new Map(masked.map((n) => [n, model.graph.initializers.get(n)!.data as Float32Array]));
    const accuracyBefore = (await evaluator.evaluate(test, weights)).accuracy;
    const accuracyAfter = (await evaluator.evaluate(test, applyMask(weights, masks, true, 'zero'))).accuracy;
    await evaluator.release();
    const written = await exportMaskedModel(model, masks, { mode: 'keep-only', outPath: options.outPath });
    const kept = [...masks.values()].reduce((n, mk) => n + mk.reduce((a, b) => a + b, 0), 0);
    return { outPath: written.outPath, keptFraction: kept / written.maskedWeights, accuracyBefore, accuracyAfter, examples: test.size };
  } finally {
    train.dataset.close();
    test.dataset.close();
  }
}

/** Logits shifted to be positive so that ranking by magnitude ranks by value. */
function shiftPositive(logits: FloatArray): Float32Array {
  let min = Infinity;
  for (const x of logits) min = Math.min(min, x);
  return Float32Array.from(logits, (x) => x - min + 1e-6);
}
