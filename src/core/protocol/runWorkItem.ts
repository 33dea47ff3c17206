// One unit of the protocol: train one subroutine's mask for one seed on one base model, then evaluate the
// full model, the subnetwork and the ablation on every test set, the other ablation modes and the
// size-matched random ablations. Returns plain records; runFind saves and assembles them.
import type { Model } from '../onnx/ir';
import { elementCount } from '../onnx/ir';
import type { ResolvedSpec } from '../../shared/spec';
import type { AccuracyByTestSet, BaseVariant, Condition, MaskTrainingInfo, SeedResult } from '../../shared/results';
import { buildTrainingGraph } from '../train/buildTrainingGraph';
import { chooseSparsestWithin } from './chooseSparsestWithin';
import { Trainer, type FloatArray, type TrainStepStats } from '../train/Trainer';
import type { Evaluator } from '../train/Evaluator';
import type { TrainingData } from '../train/TrainingData';
import { applyMask, sizeMatchedRandomMask, type Masks, type Weights } from '../masks/applyMask';
import { binaryMask } from '../masks/maskMethods';
import { oneShotMask } from '../train/oneShotMask';
import { Rng } from '../util/random';

export interface WorkItemContext {
  spec: ResolvedSpec;
  model: Model;
  output: string;
  /** Initializers the mask covers. */
  masked: string[];
  unitAxes: Map<string, number> | undefined;
  weights: Weights;
  evaluator: Evaluator;
  train: TrainingData;
  /** The subroutine's validation set, used only by the hyper-parameter search. */
  validation?: TrainingData;
  testSets: Map<string, TrainingData>;
  threads?: number;
  signal: AbortSignal;
  onStep(stats: TrainStepStats, totalSteps: number): void;
}

/** One trial's raw outcome: assembleResults turns it into the SeedResult of results.json (counts and scores). */
export interface WorkItemRecord extends Pick<SeedResult, 'seed' | 'accuracy' | 'training'> {
  subroutine: string;
  variant: BaseVariant;
  masks: Masks;
  /** Other ablation modes: mode → accuracy per test set. */
  modes: Record<string, AccuracyByTestSet>;
  /** Random ablation draws: accuracy per test set. */
  randomDraws: AccuracyByTestSet[];
  /** Median ms of a mask-training step (one entry; empty for one-shot methods). */
  stepMs: number[];
}

/** null when aborted during mask training. */
export async function runWorkItem(ctx: WorkItemContext, subroutine: string, seed: number, variant: BaseVariant,
  full: AccuracyByTestSet): Promise<WorkItemRecord | null> {
  const { spec } = ctx;
  const t0 = performance.now();
  const trained = ctx.spec.hyperparameterSearch && ctx.validation ? await searchHyperparameters(ctx, seed)
    : await trainMask(ctx, seed, hyperparametersOf(ctx.spec));
  if (!trained) return null;
  const trainingMs = performance.now() - t0;
  const masks = trained.masks;
  const evalAll = async (weights: Weights): Promise<AccuracyByTestSet> => {
    const out: AccuracyByTestSet = {};
    for (const [name, data] of ctx.testSets) out[name] = (await ctx.evaluator.evaluate(data, weights)).accuracy;
    return out;
  };
  const [primary, ...otherModes] = spec.controls.ablationModes;
  const rng = Rng.derive(seed, 'controls', subroutine, variant);
  const accuracy: Record<Condition, AccuracyByTestSet> = {
    full,
    subnetwork: await evalAll(applyMask(ctx.weights, masks, true, 'zero')),
    ablation: await evalAll(applyMask(ctx.weights, masks, false, primary ?? 'zero', rng)),
  };
  const modes: Record<string, AccuracyByTestSet> = {};
  for (const mode of otherModes) modes[mode] = await evalAll(applyMask(ctx.weights, masks, false, mode, rng));
  const randomDraws: AccuracyByTestSet[] = [];
  if (variant === 'trained') {
    for (let d = 0; d < spec.controls.randomAblations; d++) {
      if (ctx.signal.aborted) return null;
      randomDraws.push(
        await evalAll(applyMask(ctx.weights, sizeMatchedRandomMask(masks, rng), false, primary ?? 'zero', rng)));
    }
  }
  return {
    subroutine, seed, variant, masks, accuracy, modes, randomDraws, stepMs: trained.stepMs,
    training: { ...trained.info, ms: trainingMs },
  };
}

interface TrainedMask {
  masks: Masks;
  info: Omit<MaskTrainingInfo, 'ms'>;
  stepMs: number[];
}

type Hyperparameters = MaskTrainingInfo['hyperparameters'];

function hyperparametersOf(spec: ResolvedSpec): Hyperparameters {
  return { init: spec.mask.init, lambda: spec.mask.lambda, lr: spec.mask.lr, epochs: spec.mask.epochs };
}

/**
 * Grid search over init × lambda × lr. Each trial's subnetwork is scored on the subroutine's own
 * validation set; chooseSparsestWithin picks among them.
 * The ablation outcome and the test sets never enter the choice.
 */
async function searchHyperparameters(ctx: WorkItemContext, seed: number): Promise<TrainedMask | null> {
  const search = ctx.spec.hyperparameterSearch!;
  const base = hyperparametersOf(ctx.spec);
  const trials: { mask: TrainedMask; validation: number; kept: number }[] = [];
  for (const init of search.init ?? [base.init]) {
    for (const lambda of search.lambda ?? [base.lambda]) {
      for (const lr of search.lr ?? [base.lr]) {
        const mask = await trainMask(ctx, seed, { init, lambda, lr, epochs: search.epochs ?? base.epochs });
        if (!mask) return null;
        const masked = applyMask(ctx.weights, mask.masks, true, 'zero');
        const validation = (await ctx.evaluator.evaluate(ctx.validation!, masked)).accuracy;
        let kept = 0, total = 0;
        for (const m of mask.masks.values()) { for (let i = 0; i < m.length; i++) kept += m[i]!; total += m.length; }
        trials.push({ mask, validation, kept: kept / total });
      }
    }
  }
  const chosen = chooseSparsestWithin(trials, search.tolerance, (t) => t);
  return { ...chosen.mask, info: { ...chosen.mask.info, validationAccuracy: chosen.validation },
    stepMs: trials.flatMap((t) => t.mask.stepMs) };
}

async function trainMask(ctx: WorkItemContext, seed: number,
  hyperparameters: Hyperparameters): Promise<TrainedMask | null> {
  const { spec } = ctx;
  const m = { ...spec.mask, ...hyperparameters };
  if (m.method === 'magnitude' || m.method === 'attribution') {
    const masks = await oneShotMask(ctx.model, {
      method: m.method, tensors: ctx.masked, keep: m.keep ?? 0.1, scope: m.keepScope, output: ctx.output,
      head: spec.head, data: ctx.train, unitAxes: ctx.unitAxes, threads: ctx.threads,
    });
    return { masks,
      info: { steps: 0, finalLoss: null, trainAccuracy: null, finalBeta: null, hyperparameters }, stepMs: [] };
  }
  const tg = await buildTrainingGraph(ctx.model, {
    output: ctx.output, head: spec.head, tensors: ctx.masked, unitAxes: ctx.unitAxes, update: 'adam',
    target: { kind: 'mask', method: m.method, lambda: m.lambda },
  });
  const initial = new Map(
    tg.tensors.map((t) => [t.initializer, new Float32Array(elementCount(t.shape)).fill(m.init) as FloatArray]));
  const trainer = await Trainer.create(tg, initial, ctx.threads);
  const totalSteps = m.epochs * Math.max(1, Math.floor(ctx.train.size / m.batch));
  try {
    const res = await trainer.train(ctx.train, {
      epochs: m.epochs, batch: m.batch, lr: m.lr, seed, signal: ctx.signal,
      temperature: m.method === 'continuous-sparsification' ? m.temperature : undefined,
      onStep: (s) => ctx.onStep(s, totalSteps),
    });
    if (res.cancelled) return null;
    const masks: Masks = new Map();
    for (const t of tg.tensors) {
      const logits = res.params.get(t.initializer)!;
      masks.set(t.initializer,
        expandUnits(binaryMask(logits), t.shape, ctx.model.graph.initializers.get(t.initializer)!.dims));
    }
    return {
      masks, stepMs: [res.stepMs],
      info: { steps: res.steps, finalLoss: res.last?.headLoss ?? null, trainAccuracy: res.last?.accuracy ?? null,
        finalBeta: res.last?.beta ?? null, hyperparameters },
    };
  } finally {
    await trainer.release();
  }
}

/** A unit mask (ones except the unit axis) broadcast to the weight's full shape. */
export function expandUnits(mask: Uint8Array, maskShape: number[], dims: number[]): Uint8Array {
  const n = elementCount(dims);
  if (mask.length === n) return mask;
  const out = new Uint8Array(n);
  const strides = dims.map((_, i) => elementCount(dims.slice(i + 1)));
  const axis = maskShape.findIndex((d, i) => d === dims[i] && d !== 1);
  for (let i = 0; i < n; i++) out[i] = mask[axis < 0 ? 0 : Math.floor(i / strides[axis]!) % dims[axis]!]!;
  return out;
}
