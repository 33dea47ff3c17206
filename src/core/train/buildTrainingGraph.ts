// Model + head + trainable tensors -> one graph that runs forward and backward in a single onnxruntime call;
// the Adam update of a training graph runs after it in adamUpdate. Weights stay initializers; logits and
// batches are inputs.
import type { Dim, Graph, Model } from '../onnx/ir';
import { DataType, defaultOpset, elementCount } from '../onnx/ir';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { modelShapes } from '../runtime/modelShapes';
import { inferShapesStatically } from '../onnx/inferShapesStatically';
import { sortTopologically } from '../onnx/sortTopologically';
import { differentiate } from '../autodiff/differentiate';
import { continuousSparsificationGate, hardConcreteGate, type TrainableMaskMethod } from '../masks/maskMethods';
import { appendHead, headClasses, softmaxLogits, type HeadSpec } from './lossHeads';
import { TrainerError } from './errors';
import { fixedBatchOf } from './fixedBatch';

/** What is trained: logits of a multiplicative mask on frozen weights, or the weights themselves. */
export type TrainTarget =
  | { kind: 'mask'; method: TrainableMaskMethod | 'identity'; lambda: number }
  | { kind: 'weights' };

export interface TrainableTensor {
  /** The initializer this parameter belongs to. */
  initializer: string;
  /** Shape of the parameter: the weight's shape, or the unit shape (ones except the unit axis). */
  shape: number[];
  /** Where the parameter lies in the flat parameter vector (see TrainingGraph.flat). */
  offset: number;
  /** Gradient output in the parameter's shape (update: 'none'). */
  grad?: string;
}

/**
 * What a training graph (update: 'adam') hands to adamUpdate. The gradient outputs are bound to stretches
 * of one flat gradient vector, so that no Concat pass joins them.
 */
export interface AdamOutputs {
  /** Gradient outputs, each with its stretch of the flat vector: per tensor, or one for the whole vector. */
  gradients: { output: string; offset: number; shape: number[] }[];
  /**
   * Continuous sparsification: the gradients are d head loss/d gate, and this output is the flat gate
   * sigmoid(β·logits) at which adamUpdate applies the gate's chain rule and the penalty's gradient λ.
   */
  gate?: string;
  lambda: number;
  hyper: { beta1: number; beta2: number; epsilon: number };
}

/**
 * Every trained tensor's parameter (mask logits, or the weight itself) is one stretch of one flat vector,
 * so the gates and the sparsity penalty are a handful of nodes over one long buffer instead of several per
 * tensor (on EfficientNet-B0's 82 masked tensors the per-tensor form spent most of the step in onnxruntime's
 * per-node overhead), and the Adam update is one loop over it.
 */
export interface FlatParameters {
  /** Number of elements: the sum over the tensors. */
  size: number;
  /** Graph input carrying the flat parameter vector. */
  param: string;
  /** Hard-concrete noise input (one value per parameter). */
  noise?: string;
}

export interface TrainingGraphOptions {
  output: string;
  head: HeadSpec;
  target: TrainTarget;
  /** Initializer names to mask or train. */
  tensors: string[];
  /** Per-initializer unit axis for unit-granularity masks; absent = one logit per weight. */
  unitAxes?: Map<string, number>;
  update: 'adam' | 'none';
  adam?: { beta1: number; beta2: number; epsilon: number };
}

export interface TrainingGraph {
  model: Model;
  /** The model inputs that take data (after odd-one-out flattening). */
  dataInputs: string[];
  onehot: string;
  classes: number;
  /** Scalar input β of continuous sparsification. */
  beta?: string;
  /** The outputs the Adam update reads (update: 'adam'). */
  adam?: AdamOutputs;
  /** The tensor the loss scores: the output, or the input of a Softmax output (see softmaxLogits). */
  scored: { tensor: string; softmaxInput: boolean };
  loss: string;
  headLoss: string;
  correct: string;
  tensors: TrainableTensor[];
  flat: FlatParameters;
  floatType: number;
  /** Problems per call when the model fixes its batch dimension (every batch has exactly this many). */
  fixedBatch?: number;
}

export const DEFAULT_ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

export async function buildTrainingGraph(model: Model, options: TrainingGraphOptions): Promise<TrainingGraph> {
  const source = withNamedBatch(model);
  // Built in float32, the type models are trained in; gradient checks convert the finished graph with toFloat64.
  const floatType: number = DataType.FLOAT;
  const opset = defaultOpset(source);
  if (opset < 13) {
    const why = source.loadChanges?.opsetUpgradeError;
    const fix = why ? ` and the upgrade on load failed: ${why}` : ' (re-export the model with a newer opset)';
    throw new TrainerError(`the model uses opset ${opset}; training needs opset 13 or newer${fix}`);
  }
  const graph: Graph = cloneGraph(source.graph);
  const b = new GraphBuilder(graph, 'train', floatType);
  const outputInfo = source.graph.outputs.find((o) => o.name === options.output);
  if (!outputInfo) {
    const outputs = source.graph.outputs.map((o) => o.name).join(', ');
    throw new TrainerError(`output '${options.output}' is not an output of the model (outputs: ${outputs})`);
  }
  const shapes0 = await measuredShapes(model, options.head);
  const outShape = shapes0.get(options.output);
  const width = outShape && typeof outShape[outShape.length - 1] === 'number'
    ? (outShape[outShape.length - 1] as number)
    : NaN;
  if (!outShape || outShape.length !== 2 || !Number.isFinite(width)) {
    const shown = (outShape ?? []).join(', ');
    throw new TrainerError(
      `output '${options.output}' must be [batch, width] with a fixed width; its shape is [${shown}]`,
    );
  }
  const classes = headClasses(options.head, width);

  const tensors: TrainableTensor[] = [];
  let size = 0;
  for (const name of options.tensors) {
    const w = graph.initializers.get(name);
    if (!w) throw new TrainerError(`'${name}' is not an initializer of the model`);
    if (w.dataType !== DataType.FLOAT && w.dataType !== DataType.DOUBLE) {
      throw new TrainerError(`initializer '${name}' has a non-float type and cannot be trained or masked`);
    }
    const axis = options.unitAxes?.get(name);
    const shape = axis === undefined ? [...w.dims] : w.dims.map((d, i) => (i === axis ? d : 1));
    tensors.push({ initializer: name, shape, offset: size });
    size += elementCount(shape);
  }
  const flatName = options.target.kind === 'mask' ? 'mask/logits' : 'train/weights';
  const flat: FlatParameters = { size, param: b.input(flatName, floatType, [size]) };
  let beta: string | undefined;
  let penalty: string | undefined;
  let perParameter = flat.param;
  if (options.target.kind === 'mask' && options.target.method === 'continuous-sparsification') {
    beta = b.input('train/beta', floatType, []);
    const g = continuousSparsificationGate(b, flat.param, beta);
    perParameter = g.gate; penalty = g.penalty;
  } else if (options.target.kind === 'mask' && options.target.method === 'hard-concrete') {
    flat.noise = b.input('noise/logits', floatType, [size]);
    const g = hardConcreteGate(b, flat.param, flat.noise);
    perParameter = g.gate; penalty = g.penalty;
  }
  const views = splitFlat(b, perParameter, tensors);
  tensors.forEach((t, i) => {
    const name = t.initializer;
    if (options.target.kind === 'weights') graph.initializers.delete(name);
    const replacement = options.target.kind === 'weights' ? views[i]! : b.emit1('Mul', [name, views[i]!]);
    for (const node of graph.nodes) {
      if (node.outputs[0] === replacement) continue;
      node.inputs = node.inputs.map((input) => (input === name ? replacement : input));
    }
  });

  const problems = problemsDim(source, options.head);
  const onehot = b.input('train/onehot', floatType, [problems, classes]);
  const softmaxInput = softmaxLogits(graph, options.output, options.head);
  const head = appendHead(b, options.head, softmaxInput ?? options.output, onehot, width);
  let loss = head.loss;
  if (penalty && options.target.kind === 'mask') {
    loss = b.emit1('Add', [head.loss, b.emit1('Mul', [penalty, b.constant([options.target.lambda])])]);
  }
  graph.outputs = [];
  b.output(loss, floatType, []);
  b.output(head.loss, floatType, []);
  b.output(head.correct, floatType, []);

  graph.nodes = sortTopologically(graph);
  requireInfluence(graph, loss, tensors.map((t, i) => [t.initializer, views[i]!]));
  const forward: Model = { ...source, graph, proto: undefined };
  // The model's own tensors keep their measured shapes; the appended gates, views and head get ONNX's rules,
  // told that odd-one-out groups are one per problem (a Reshape to [-1, k, D] of a symbolic batch is unknown).
  const known = new Map(shapes0);
  if (head.grouped) known.set(head.grouped, [problems, classes, width]);
  const shapes = inferShapesStatically(forward, known);
  // A training graph stops at the gradient of each tensor's stand-in (its gate or its weight), except with
  // hard concrete, whose gate adamUpdate does not chain: there it stops at the flat vector's gradient.
  const perTensor = options.update === 'adam' && !flat.noise;
  const wrt = perTensor ? views : [flat.param];
  const { graph: full, gradients } = differentiate(graph, { loss, wrt, shapes, floatType, opset });
  const out = new GraphBuilder(full, 'update', floatType);
  let adam: AdamOutputs | undefined;
  if (options.update === 'adam') {
    const lambda = options.target.kind === 'mask' ? options.target.lambda : 0;
    const shaped = perTensor ? tensors : [{ offset: 0, shape: [size] }];
    adam = {
      gradients: shaped.map((t, i) => ({ output: gradients.get(wrt[i]!)!, offset: t.offset, shape: t.shape })),
      gate: beta ? perParameter : undefined, lambda, hyper: options.adam ?? DEFAULT_ADAM,
    };
    for (const g of adam.gradients) out.output(g.output, floatType, g.shape);
    if (adam.gate) out.output(adam.gate, floatType, [size]);
  } else {
    splitFlat(out, gradients.get(flat.param)!, tensors).forEach((grad, i) => {
      tensors[i]!.grad = grad;
      out.output(grad, floatType, tensors[i]!.shape);
    });
  }
  const dataInputs = source.graph.inputs.map((i) => i.name);
  const scored = { tensor: softmaxInput ?? options.output, softmaxInput: softmaxInput !== undefined };
  return {
    model: { ...forward, graph: full }, dataInputs, onehot, classes, beta, adam, scored,
    loss, headLoss: head.loss, correct: head.correct, tensors, flat, floatType,
    fixedBatch: fixedBatchOf(source, options.head),
  };
}

const PROBLEMS = 'problems';

/**
 * Shape-probe constraints: with an odd-one-out head the stimulus batch must be a multiple of the
 * group size. Dimensions stay symbolic (a pinned batch would turn means over it into constants).
 */
function probeMultiples(model: Model, head: HeadSpec): Record<string, number> {
  const k = head.type === 'odd-one-out' ? head.group : 1;
  const multiples: Record<string, number> = {};
  for (const input of model.graph.inputs) {
    const d = input.shape?.[0];
    if (typeof d === 'string') multiples[d] = k;
  }
  return multiples;
}

/**
 * The model's tensor shapes, measured once per model object and head (see modelShapes): the training
 * graphs of a run and its evaluator share one probe.
 */
export function measuredShapes(model: Model, head: HeadSpec): Promise<ReadonlyMap<string, Dim[]>> {
  const source = withNamedBatch(model);
  return modelShapes(source, { multiples: probeMultiples(source, head) });
}

const namedBatch = new WeakMap<Model, Model>();

/**
 * The model with an unnamed leading dimension of its inputs (`?` in an exported model) renamed to one
 * symbol: every data input is fed batch rows, and only a named batch can be traced by the shape probe.
 */
function withNamedBatch(model: Model): Model {
  const known = namedBatch.get(model);
  if (known) return known;
  const named = renameBatch(model);
  namedBatch.set(model, named);
  return named;
}

function renameBatch(model: Model): Model {
  const unnamed = (d: Dim | undefined) => d === null || d === '';
  const inputs = model.graph.inputs;
  if (!inputs.some((i) => i.shape && i.shape.length > 0 && unnamed(i.shape[0]))) return model;
  const taken = new Set(inputs.flatMap((i) => (i.shape ?? []).filter((d): d is string => typeof d === 'string')));
  let name = 'batch';
  while (taken.has(name)) name = `_${name}`;
  const renamed = inputs.map((i) => (i.shape && i.shape.length > 0 && unnamed(i.shape[0])
    ? { ...i, shape: [name, ...i.shape.slice(1)], proto: undefined }
    : i));
  return { ...model, proto: undefined, graph: { ...model.graph, inputs: renamed, proto: undefined } };
}

/**
 * The one-hot labels' leading dimension: one row per problem, the model's batch divided by the group size
 * (the batch itself for a classify head). Naming it after the batch where it can keeps the batch dimension
 * traceable through the loss, so that no broadcasting gradient needs a run-time sum.
 */
function problemsDim(model: Model, head: HeadSpec): Dim {
  const k = head.type === 'odd-one-out' ? head.group : 1;
  const batch = model.graph.inputs.map((i) => i.shape?.[0]).find((d) => d !== undefined && d !== null && d !== '');
  if (typeof batch === 'number') return batch / k;
  return k === 1 && batch !== undefined ? batch : PROBLEMS;
}

/** Each tensor's stretch of a flat vector, in the tensor's shape: one Split, then a Reshape per tensor. */
function splitFlat(b: GraphBuilder, flat: string, tensors: TrainableTensor[]): string[] {
  const sizes = tensors.map((t) => elementCount(t.shape));
  const pieces = b.emit('Split', [flat, b.int64(sizes)], { axis: 0 }, tensors.length);
  return pieces.map((piece, i) => b.emit1('Reshape', [piece, b.int64(tensors[i]!.shape)]));
}

/** Throws for the first trained tensor (given with the value that stands for it) the loss does not depend on. */
function requireInfluence(graph: Graph, loss: string, stand: [string, string][]): void {
  const needed = new Set([loss]);
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const node = graph.nodes[k]!;
    if (node.outputs.some((o) => needed.has(o))) node.inputs.forEach((i) => i && needed.add(i));
  }
  const idle = stand.find(([, value]) => !needed.has(value));
  if (idle) throw new TrainerError(`'${idle[0]}' does not influence the loss: no path from it to the scored output`);
}

export function cloneGraph(g: Graph): Graph {
  return {
    ...g,
    nodes: g.nodes.map((n) => ({
      ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: new Map(n.attributes),
    })),
    inputs: [...g.inputs], outputs: [...g.outputs], valueInfo: [], initializers: new Map(g.initializers),
    proto: undefined,
  };
}

export type FloatArrayLike = Float32Array | Float64Array;
