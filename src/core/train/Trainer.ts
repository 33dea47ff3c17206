// Runs a training graph: holds parameters and Adam state, feeds batches, anneals β, checks for NaN,
// reports progress, stops on abort, and saves/restores checkpoints.
import { ort, createSession } from '../runtime/session';
import { DataType, elementCount } from '../onnx/ir';
import type { AdamOutputs, TrainingGraph } from './buildTrainingGraph';
import { adamUpdate } from './adamUpdate';
import { oneHot } from './lossHeads';
import { TrainerError } from './errors';
import { toOrt } from './toOrt';
import { Rng } from '../util/random';
import { topFraction } from './oneShotMask';
import { fedRows, paddedRows, type Batch, type NumericArray, type TrainingData } from './TrainingData';

export type FloatArray = Float32Array<ArrayBuffer> | Float64Array<ArrayBuffer>;

export interface TrainStepStats {
  step: number;
  epoch: number;
  loss: number;
  headLoss: number;
  accuracy: number;
  beta: number;
  /** Fraction of mask logits > 0 (mask training only). */
  keptFraction?: number;
}

export interface TrainOptions {
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  /** β schedule [start, end], annealed geometrically per epoch (continuous sparsification only). */
  temperature?: [number, number];
  signal?: AbortSignal;
  onStep?(stats: TrainStepStats): void;
  /** Called after every epoch with a state snapshot that `resume` accepts. */
  onEpoch?(checkpoint: TrainerCheckpoint): void | Promise<void>;
  resume?: TrainerCheckpoint;
  /**
   * Weight-sparse training: after every update keep only the fraction `keep` of each trained tensor with
   * the largest magnitudes (the others are set to 0), a magnitude top-k constraint; `tensors` limits it to
   * those initializers (e.g. the weight matrices, leaving biases and normalisation scales dense).
   */
  sparsity?: { keep: number; tensors?: string[] };
}

export interface TrainerCheckpoint {
  epoch: number;
  step: number;
  params: Record<string, FloatArray>;
  m: Record<string, FloatArray>;
  v: Record<string, FloatArray>;
  rngState: number;
}

export interface TrainResult {
  params: Map<string, FloatArray>;
  steps: number;
  epochs: number;
  /** Median milliseconds of one step: the forward+backward onnxruntime call and the Adam update. */
  stepMs: number;
  last?: TrainStepStats;
  cancelled: boolean;
}

/** Geometric β for `epoch` of `epochs`: start at epoch 0, end at the last epoch. */
export function betaAt(epoch: number, epochs: number, [start, end]: [number, number]): number {
  if (epochs <= 1) return start;
  return start * Math.pow(end / start, epoch / (epochs - 1));
}

/**
 * One flat vector per kind of state (see FlatParameters), with per-tensor views into it: the parameters
 * and Adam moments, and the step's gradient and gate, which onnxruntime writes into.
 */
interface FlatState {
  params: Float32Array<ArrayBuffer>;
  m: Float32Array<ArrayBuffer>;
  v: Float32Array<ArrayBuffer>;
  grad: Float32Array<ArrayBuffer>;
  gate?: Float32Array<ArrayBuffer>;
}

export class Trainer {
  private constructor(readonly tg: TrainingGraph, private readonly adam: AdamOutputs,
    private readonly session: ort.InferenceSession, private flat: Float32Array<ArrayBuffer>) {}

  /** `initial` gives each trainable initializer's starting parameter (mask logits or weights). */
  static async create(tg: TrainingGraph, initial: Map<string, FloatArray>, threads?: number): Promise<Trainer> {
    if (!tg.adam) throw new TrainerError('the training graph was built without an optimiser update');
    if (tg.floatType !== DataType.FLOAT) throw new TrainerError('training graphs are trained in float32');
    const flat = new Float32Array(tg.flat.size);
    for (const t of tg.tensors) {
      const p = initial.get(t.initializer);
      if (!p || p.length !== elementCount(t.shape)) {
        throw new TrainerError(`no initial value of the right size for '${t.initializer}'`);
      }
      flat.set(p, t.offset);
    }
    const session = await createSession(tg.model, { threads });
    return new Trainer(tg, tg.adam, session, flat);
  }

  /** Each trained initializer's current parameter: views into the flat vector. */
  get params(): Map<string, FloatArray> {
    return viewsOf(this.tg, this.flat);
  }

  async train(data: TrainingData, options: TrainOptions): Promise<TrainResult> {
    const { tg, adam } = this;
    const size = tg.flat.size;
    // New arrays in every call, so parameter arrays returned by an earlier train() are never overwritten.
    const state: FlatState = {
      params: this.flat.slice(), m: new Float32Array(size), v: new Float32Array(size), grad: new Float32Array(size),
      gate: adam.gate ? new Float32Array(size) : undefined,
    };
    const rng = new Rng(options.seed);
    let step = 0;
    let startEpoch = 0;
    if (options.resume) {
      const r = options.resume;
      for (const t of tg.tensors) {
        state.params.set(r.params[t.initializer]!, t.offset);
        state.m.set(r.m[t.initializer]!, t.offset);
        state.v.set(r.v[t.initializer]!, t.offset);
      }
      step = r.step; startEpoch = r.epoch; rng.state = r.rngState;
    }
    this.flat = state.params;
    const batchBuffers: Record<string, NumericArray> = {};
    const noise = tg.flat.noise ? new Float32Array(size) : undefined;
    const batchesPerEpoch = Math.max(1, Math.floor(data.size / options.batch));
    const fixed = tg.fixedBatch;
    if (fixed !== undefined && options.batch !== fixed) {
      throw new TrainerError(
        `the model's batch dimension is fixed at ${fixed}; the training batch is ${options.batch} `
          + `(use a batch of ${fixed})`);
    }
    // A fixed-batch model gets a smaller training set as one padded batch per epoch.
    if (data.size < options.batch && fixed === undefined) {
      throw new TrainerError(`the training set has ${data.size} examples, fewer than one batch of ${options.batch}`);
    }
    // Keeping the largest magnitudes is a constraint on weights; the count of positive mask logits
    // (keptFraction) is taken by the update, before any such constraint could change them.
    const mask = tg.flat.param.startsWith('mask/');
    if (options.sparsity && mask) throw new TrainerError('weight sparsity applies to weight training, not to masks');
    const sparse = options.sparsity
      && tg.tensors.filter((t) => !options.sparsity!.tensors || options.sparsity!.tensors.includes(t.initializer));
    const times: number[] = [];
    let last: TrainStepStats | undefined;
    const { beta1, beta2, epsilon } = adam.hyper;
    const fetches = this.fetches(state);
    const result = (epochs: number, cancelled: boolean): TrainResult =>
      ({ params: this.params, steps: step, epochs, stepMs: median(times), last, cancelled });
    for (let epoch = startEpoch; epoch < options.epochs; epoch++) {
      const beta = options.temperature ? betaAt(epoch, options.epochs, options.temperature) : 1;
      const order = rng.permutation(data.size);
      for (let bi = 0; bi < batchesPerEpoch; bi++) {
        if (options.signal?.aborted) return result(epoch, true);
        const picked = order.subarray(bi * options.batch, (bi + 1) * options.batch);
        const batch = paddedRows(data, picked, fixed, batchBuffers);
        for (const [name, a] of Object.entries(batch.inputs)) batchBuffers[name] = a.data;
        step++;
        const stepSize = options.lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step));
        const feeds = this.feeds(batch, { beta, state, noise: noise && fillLogisticNoise(noise, rng) });
        const t0 = performance.now();
        const out = await this.session.run(feeds, fetches);
        const loss = scalar(out[tg.loss]!);
        if (!Number.isFinite(loss)) {
          throw new TrainerError(
            `the loss became ${loss} at epoch ${epoch + 1}, step ${step} (learning rate ${options.lr}); `
              + 'lower the learning rate or check the data for NaN/Inf',
          );
        }
        const chain = adam.gate ? { kind: 'sigmoid' as const, beta, lambda: adam.lambda } : { kind: 'none' as const };
        const positive = adamUpdate(state, { stepSize, beta1, beta2, epsilon, chain });
        times.push(performance.now() - t0);
        for (const t of sparse || []) {
          const p = state.params.subarray(t.offset, t.offset + elementCount(t.shape));
          const keep = topFraction(p, options.sparsity!.keep);
          for (let i = 0; i < p.length; i++) if (!keep[i]) p[i] = 0;
        }
        last = {
          step, epoch, loss, headLoss: scalar(out[tg.headLoss]!),
          accuracy: scalar(out[tg.correct]!) / batch.labels.length, beta,
          keptFraction: mask ? (size ? positive / size : 0) : undefined,
        };
        options.onStep?.(last);
      }
      if (options.onEpoch) {
        const snap = (flat: Float32Array<ArrayBuffer>) =>
          Object.fromEntries([...viewsOf(tg, flat)].map(([k, a]) => [k, a.slice()]));
        const { params, m, v } = state;
        const snapshot = { params: snap(params), m: snap(m), v: snap(v) };
        await options.onEpoch({ epoch: epoch + 1, step, ...snapshot, rngState: rng.state });
      }
    }
    return result(options.epochs, false);
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  /**
   * Output buffers of one step: each gradient output its stretch of the flat gradient, and the flat gate;
   * scalars are allocated by onnxruntime.
   */
  private fetches(state: FlatState): Record<string, ort.Tensor | null> {
    const { tg, adam } = this;
    const fetches: Record<string, ort.Tensor | null> = { [tg.loss]: null, [tg.headLoss]: null, [tg.correct]: null };
    for (const g of adam.gradients) {
      fetches[g.output] = toOrt(state.grad.subarray(g.offset, g.offset + elementCount(g.shape)), g.shape);
    }
    if (adam.gate) fetches[adam.gate] = toOrt(state.gate!, [tg.flat.size]);
    return fetches;
  }

  private feeds(batch: Batch, s: { beta: number; state: FlatState; noise?: FloatArray }):
    Record<string, ort.Tensor> {
    const { tg } = this;
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of tg.dataInputs) {
      const a = batch.inputs[name];
      if (!a) throw new TrainerError(`the batch has no array for model input '${name}'`);
      feeds[name] = toOrt(a.data, a.dims);
    }
    const rows = fedRows(batch);
    feeds[tg.onehot] = toOrt(oneHot(batch.labels, tg.classes, tg.floatType, rows), [rows, tg.classes]);
    if (tg.beta) feeds[tg.beta] = new ort.Tensor('float32', Float32Array.of(s.beta), []);
    const { size, param, noise } = tg.flat;
    feeds[param] = toOrt(s.state.params, [size]);
    if (noise) feeds[noise] = toOrt(s.noise!, [size]);
    return feeds;
  }
}

/** Each tensor's stretch of a flat vector (views, not copies). */
function viewsOf(tg: TrainingGraph, flat: FloatArray): Map<string, FloatArray> {
  return new Map(tg.tensors.map((t) => [t.initializer, flat.subarray(t.offset, t.offset + elementCount(t.shape))]));
}

/** Fills `out` with log u − log(1 − u) for u ~ U(0, 1), clamped away from 0 and 1. */
function fillLogisticNoise(out: FloatArray, rng: Rng): FloatArray {
  for (let i = 0; i < out.length; i++) {
    const u = Math.min(Math.max(rng.next(), 1e-6), 1 - 1e-6);
    out[i] = Math.log(u) - Math.log(1 - u);
  }
  return out;
}

export function scalar(t: ort.Tensor): number {
  return Number(t.data[0]);
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
