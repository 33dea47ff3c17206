// Analytic mask gradients of the generated training graph against central finite differences, both in
// float64, and the float32 graph that actually trains against that float64 gradient: how a user trusts
// the engine on their own model (`subnetwork-lens gradcheck`).
import type { Model } from '../onnx/ir';
import { DataType, elementCount } from '../onnx/ir';
import { ort } from '../runtime/session';
import { encodeModel } from '../onnx/writeModel';
import { buildTrainingGraph } from './buildTrainingGraph';
import type { HeadSpec } from './lossHeads';
import { oneHot } from './lossHeads';
import { float32Deviation } from './float32Deviation';
import { toFloat64 } from './toFloat64';
import { toOrt } from './toOrt';
import { fedRows, type Batch } from './TrainingData';
import { TrainerError } from './errors';
import { Rng } from '../util/random';

export interface GradcheckOptions {
  output: string;
  head: HeadSpec;
  tensors: string[];
  /** Coordinates sampled per tensor. */
  samples?: number;
  /** Finite-difference step h of the fourth-order central stencil (default 1e-3). */
  epsilon?: number;
  seed?: number;
  /** β of continuous sparsification during the check. */
  beta?: number;
  threads?: number;
}

export interface TensorGradcheck {
  tensor: string;
  samples: number;
  maxRelativeError: number;
  maxAbsoluteError: number;
  /** Largest analytic gradient magnitude among the samples, for scale. */
  maxGradient: number;
  /**
   * Sampled coordinates whose difference quotient changed when the step shrank tenfold, i.e. a kink (Relu,
   * MaxPool) lies within ±2h: they are compared at the smaller step (h/10 or h/100), with its noise floor.
   */
  nearKinks: number;
  /** Sampled coordinates left out because the quotients at h/10 and h/100 still disagreed (NaN error when all are). */
  unresolved: number;
  /**
   * ‖g32 − g64‖ / ‖g64‖ over the whole tensor: the float32 training graph (native kernels, the session
   * options training uses) against the float64 analytic gradient at the same logits and batch.
   */
  float32Deviation: number;
}

export interface GradcheckReport {
  tensors: TensorGradcheck[];
}

/**
 * Relative error |a − n| / max(|a|, |n|, floor). The floor keeps coordinates whose gradient is essentially
 * zero from dividing noise by noise: the largest of 1e-12, 1e-6 × the tensor's largest sampled gradient,
 * and 1e6 × the rounding noise of the difference stencil (1.5 · ε_float64 · |L| / h), so an error at the
 * noise level counts as 1e-6 relative. Without the last term, a correct MLP fixture coordinate with
 * gradient 7e-9 and error 2e-13 (pure rounding) was reported at 3e-5.
 * A coordinate that misses 1e-6 at step h is measured again at h/10: when the two difference quotients
 * agree, the one at h stands (so a wrong gradient still fails); when they disagree, the stencil straddled
 * a kink and the h/10 value replaces it, checked once more against h/100; a coordinate still unsettled
 * there is left out and counted. On a PyTorch CNN with two Relus and a MaxPool, every seed had a conv1
 * coordinate at 1e-2…4e-2 with h = 1e-3 and ≤ 6e-7 with h = 1e-4.
 */
export async function gradcheck(model: Model, batch: Batch, options: GradcheckOptions): Promise<GradcheckReport> {
  const tg = await buildTrainingGraph(model, {
    output: options.output, head: options.head, tensors: options.tensors, update: 'none',
    target: { kind: 'mask', method: 'continuous-sparsification', lambda: 0 },
  });
  const rng = new Rng(options.seed ?? 0);
  const eps = options.epsilon ?? 1e-3;
  const flat = Float64Array.from({ length: tg.flat.size }, () => rng.normal());
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of tg.dataInputs) {
    const a = batch.inputs[name]!;
    feeds[name] = a.data instanceof Float32Array
      ? new ort.Tensor('float64', Float64Array.from(a.data), a.dims)
      : toOrt(a.data, a.dims);
  }
  if (tg.fixedBatch !== undefined && fedRows(batch) !== tg.fixedBatch) {
    throw new TrainerError(
      `the model's batch dimension is fixed at ${tg.fixedBatch}; the batch has ${fedRows(batch)} rows`);
  }
  const onehot = oneHot(batch.labels, tg.classes, DataType.DOUBLE, fedRows(batch)) as Float64Array;
  feeds[tg.onehot] = new ort.Tensor('float64', onehot, [fedRows(batch), tg.classes]);
  if (tg.beta) feeds[tg.beta] = new ort.Tensor('float64', Float64Array.of(options.beta ?? 1), []);
  feeds[tg.flat.param] = new ort.Tensor('float64', flat, [tg.flat.size]);
  // The check runs one fixed batch: pin every input to its fed shape, so the rewrite of conv and pooling
  // nodes into float64-capable ops sees static sizes everywhere (the weight-gradient convolutions take the
  // batch as their channel axis).
  const pinned = pinInputShapes(tg.model, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, [...v.dims]])));
  const wide = await toFloat64(pinned);
  // Optimisations off: onnxruntime's constant folding drops tiny float64 constants.
  const session = await ort.InferenceSession.create(encodeModel(wide).model, {
    intraOpNumThreads: options.threads ?? 0, interOpNumThreads: 1,
    graphOptimizationLevel: 'disabled', executionMode: 'sequential',
  });
  const run = async () => session.run(feeds);
  const base = await run();
  const reference = new Map(tg.tensors.map((t) => [t.grad!, base[t.grad!]!.data as Float64Array]));
  const deviation = await float32Deviation(tg.model, feeds, reference, options.threads);
  const stencilNoise = (h: number) => 1.5 * Number.EPSILON * Math.abs(Number(base[tg.loss]!.data[0])) / h;
  const report: TensorGradcheck[] = [];
  for (const t of tg.tensors) {
    const s = flat.subarray(t.offset, t.offset + elementCount(t.shape));
    const grad = base[t.grad!]!.data as Float64Array;
    const n = Math.min(options.samples ?? 8, s.length);
    const picks = rng.permutation(s.length).subarray(0, n);
    let maxGrad = 0;
    for (const i of picks) maxGrad = Math.max(maxGrad, Math.abs(grad[i]!));
    const floorAt = (h: number) => Math.max(1e-12, 1e-6 * maxGrad, 1e6 * stencilNoise(h));
    const relative = (a: number, b: number, floor: number) =>
      Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
    let maxRel = 0, maxAbs = 0, nearKinks = 0, unresolved = 0;
    for (const i of picks) {
      const keep = s[i]!;
      const at = async (offset: number) => { s[i] = keep + offset; return Number((await run())[tg.loss]!.data[0]); };
      // f'(x) ≈ (−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h: truncation ~h⁴, rounding ~1e-16/h
      // (a two-point difference with h = 1e-6 left relative errors near 2e-5 on small gradients).
      const derivative = async (h: number) =>
        (-(await at(2 * h)) + 8 * (await at(h)) - 8 * (await at(-h)) + (await at(-2 * h))) / (12 * h);
      let h = eps;
      let numeric = await derivative(h);
      let settled = relative(numeric, grad[i]!, floorAt(h)) <= 1e-6;
      for (let refinements = 0; !settled && refinements < 2; refinements++) {
        const finer = await derivative(h / 10);
        settled = relative(numeric, finer, floorAt(h / 10)) <= 1e-6;
        if (!settled) { h /= 10; numeric = finer; }
      }
      s[i] = keep;
      if (!settled) { unresolved++; continue; }
      if (h < eps) nearKinks++;
      const abs = Math.abs(numeric - grad[i]!);
      maxAbs = Math.max(maxAbs, abs);
      maxRel = Math.max(maxRel, relative(numeric, grad[i]!, floorAt(h)));
    }
    if (unresolved === n) maxRel = NaN;
    report.push({
      tensor: t.initializer, samples: n, maxRelativeError: maxRel, maxAbsoluteError: maxAbs, maxGradient: maxGrad,
      nearKinks, unresolved, float32Deviation: deviation.get(t.grad!)!,
    });
  }
  await session.release();
  return { tensors: report };
}

/** The model with the named graph inputs' shapes replaced by fixed sizes. */
function pinInputShapes(model: Model, dims: Record<string, number[]>): Model {
  const inputs = model.graph.inputs.map((v) => (dims[v.name] ? { ...v, shape: dims[v.name]!, proto: undefined } : v));
  return { ...model, proto: undefined, graph: { ...model.graph, inputs, proto: undefined } };
}
