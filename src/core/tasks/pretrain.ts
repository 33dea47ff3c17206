// Self-supervised pretraining of a built-in base model, before the usual fine-tuning on the
// compositional task (the "pretrained" base-model variant of the demo). Trains every float
// initializer of rank ≥ 1 with the engine's weight-training mode and returns the same model (same
// graph, same `z` output) with the pretrained values.
//   - language: masked-token prediction on grammatical sentences of the agreement grammar
//     (buildMaskedTokenModel + makeMaskedTokenData; the `classify` head scores the vocabulary logits);
//   - vision: contrastive odd-one-out on `z` (makeContrastiveViews: three augmented views of one
//     scene and one view of another; the engine's `odd-one-out` head, unchanged).
import type { ProgressEvent } from '../../shared/jobs';
import type { Model } from '../onnx/ir';
import { buildTrainingGraph } from '../train/buildTrainingGraph';
import { Trainer, type FloatArray } from '../train/Trainer';
import { arrayData, type TrainingData } from '../train/TrainingData';
import type { HeadSpec } from '../train/lossHeads';
import { Rng } from '../util/random';
import { DEFAULT_SEQUENCE_LENGTH } from './agreementGrammar';
import { buildMaskedTokenModel } from './buildMaskedTokenModel';
import { TaskError } from './errors';
import { makeContrastiveViews, type ContrastiveViewOptions, type ContrastiveViews } from './makeContrastiveViews';
import { makeMaskedTokenData, type MaskedTokenData } from './makeMaskedTokenData';
import { DEFAULT_IMAGE_SIZE } from './makeVisionProblems';
import type { SceneVariation } from './renderScene';
import { GROUP } from './sampleProblemProperties';
import type { TaskFamily, VisionTaskName } from './taskCatalog';
import { trainableInitializers } from './trainBaseModel';

export interface PretrainOptions {
  seed: number;
  epochs: number;
  /** Adam learning rate (constant). */
  lr: number;
  /** Rows per step: masked tokens (language) or problems of 4 views (vision). */
  batch: number;
  threads?: number;
  signal?: AbortSignal;
  onProgress?(event: ProgressEvent): void;
  /** After every epoch: the mean pretraining loss and accuracy of its steps. */
  onEpoch?(stats: PretrainEpochStats): void;
}

export interface PretrainEpochStats {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  ms: number;
}

/** How to generate the pretraining data when none is given. */
export interface PretrainCorpusOptions {
  /** Sentences (language, default 2000) or problems (vision, default 1000). */
  examples?: number;
  /** Vision: the generator whose scenes are used (default inside-contact). */
  task?: VisionTaskName;
  variation?: SceneVariation;
  /** Vision: augmentation of the views (defaults of makeContrastiveViews). */
  augment?: Pick<ContrastiveViewOptions, 'shift' | 'noise' | 'symmetries'>;
}

export type PretrainData = MaskedTokenData | ContrastiveViews | PretrainCorpusOptions;

/**
 * Pretrains `model` (not modified) and returns a copy with the pretrained initializers. Rejects with a
 * TaskError (field `signal`) when `options.signal` aborts. `data` defaults to a fresh corpus from the seed.
 */
export async function pretrainBaseModel(
  model: Model, family: TaskFamily, options: PretrainOptions, data: PretrainData = {},
): Promise<Model> {
  const input = model.graph.inputs[0];
  if (!input) throw new TaskError('the model has no graph input', 'model', model.graph.name);
  let trainModel: Model;
  let output: string;
  let head: HeadSpec;
  let training: TrainingData;
  const corpusRng = Rng.derive(options.seed, 'pretrain', family);
  if (family === 'language') {
    const built = await buildMaskedTokenModel(model, options.seed);
    const length = typeof input.shape?.[1] === 'number' ? input.shape[1] : DEFAULT_SEQUENCE_LENGTH;
    const d = 'select' in data ? data
      : makeMaskedTokenData((data as PretrainCorpusOptions).examples ?? 2000, corpusRng, {
        sequenceLength: length, maskId: built.maskId,
      });
    if (d.maskId !== built.maskId) {
      throw new TaskError(`the data masks with id ${d.maskId} but the model's [MASK] id is ${built.maskId}`,
        'maskId', d.maskId);
    }
    trainModel = built.model;
    output = built.output;
    head = { type: 'classify' };
    training = arrayData({
      [built.tokens]: { data: d.x, dims: [d.rows, d.sequenceLength] },
      [built.select]: { data: d.select, dims: [d.rows, d.sequenceLength, 1] },
    }, d.labels);
  } else if (family === 'vision') {
    const size = typeof input.shape?.[2] === 'number' ? input.shape[2] : DEFAULT_IMAGE_SIZE;
    const c = data as PretrainCorpusOptions;
    const d = 'x' in data && 'problems' in data ? data
      : makeContrastiveViews(c.task ?? 'inside-contact', c.examples ?? 1000, corpusRng, {
        ...c.augment, imageSize: size, ...(c.variation ? { variation: c.variation } : {}),
      });
    trainModel = model;
    output = model.graph.outputs[0]!.name;
    head = { type: 'odd-one-out', group: GROUP };
    training = arrayData({
      [input.name]: { data: d.x, dims: [d.problems, GROUP, 1, d.imageSize, d.imageSize] },
    }, d.labels, GROUP);
  } else {
    throw new TaskError(`unknown model family '${String(family)}' (vision, language)`, 'family', family);
  }

  const tensors = trainableInitializers(trainModel);
  const tg = await buildTrainingGraph(trainModel, {
    output, head, target: { kind: 'weights' }, tensors, update: 'adam',
  });
  const initial = new Map(tensors.map((n) => [
    n, Float32Array.from(trainModel.graph.initializers.get(n)!.data as Float32Array) as FloatArray,
  ]));
  const trainer = await Trainer.create(tg, initial, options.threads);
  const stepsPerEpoch = Math.max(1, Math.floor(training.size / options.batch));
  const total = stepsPerEpoch * options.epochs;
  let sum = { loss: 0, accuracy: 0, steps: 0, epoch: 0, t0: performance.now() };
  const flush = () => {
    if (sum.steps === 0) return;
    const stats: PretrainEpochStats = {
      epoch: sum.epoch + 1, epochs: options.epochs, loss: sum.loss / sum.steps, accuracy: sum.accuracy / sum.steps,
      ms: performance.now() - sum.t0,
    };
    const objective = family === 'language' ? 'masked tokens' : 'contrastive odd-one-out';
    options.onEpoch?.(stats);
    options.onProgress?.({
      fraction: Math.min(1, stats.epoch / options.epochs), phase: 'pretrain', step: stats.epoch * stepsPerEpoch,
      steps: total, loss: stats.loss, accuracy: stats.accuracy,
      message: `pretraining the ${family} base model (${objective}): epoch ${stats.epoch}/${options.epochs}, `
        + `loss ${stats.loss.toFixed(3)}, accuracy ${(100 * stats.accuracy).toFixed(0)}%`,
    });
  };
  let cancelled = false;
  try {
    const result = await trainer.train(training, {
      epochs: options.epochs, batch: options.batch, lr: options.lr, seed: options.seed,
      ...(options.signal ? { signal: options.signal } : {}),
      onStep: (s) => {
        if (s.epoch !== sum.epoch) {
          flush();
          sum = { loss: 0, accuracy: 0, steps: 0, epoch: s.epoch, t0: performance.now() };
        }
        sum.loss += s.headLoss; sum.accuracy += s.accuracy; sum.steps++;
      },
    });
    cancelled = result.cancelled;
    if (!cancelled) flush();
  } finally {
    await trainer.release();
  }
  if (cancelled) throw new TaskError('pretraining was cancelled', 'signal');
  const initializers = new Map(model.graph.initializers);
  for (const [name, value] of trainer.params) {
    const t = initializers.get(name);
    if (t) initializers.set(name, { ...t, data: Float32Array.from(value), proto: undefined, external: undefined });
  }
  return { ...model, graph: { ...model.graph, initializers }, proto: model.proto };
}
