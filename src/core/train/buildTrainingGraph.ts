// Model + head + trainable tensors -> one graph that runs forward, backward and (optionally) the Adam
// update in a single onnxruntime call. Weights stay initializers; logits, optimiser state and batches are inputs.
import type { Dim, Graph, Model } from '../onnx/ir';
import { DataType, defaultOpset, elementCount } from '../onnx/ir';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { inferShapes } from '../onnx/inferShapes';
import { differentiate } from '../autodiff/differentiate';
import { continuousSparsificationGate, hardConcreteGate, type TrainableMaskMethod } from '../masks/maskMethods';
import { appendHead, headClasses, type HeadSpec } from './lossHeads';
import { TrainerError } from './errors';

/** What is trained: logits of a multiplicative mask on frozen weights, or the weights themselves. */
export type TrainTarget =
  | { kind: 'mask'; method: TrainableMaskMethod | 'identity'; lambda: number }
  | { kind: 'weights' };

export interface TrainableTensor {
  /** The initializer this parameter belongs to. */
  initializer: string;
  /** Graph input carrying the parameter (mask logits, or the weight itself). */
  param: string;
  /** Shape of the parameter: the weight's shape, or the unit shape (ones except the unit axis). */
  shape: number[];
  /** Graph inputs/outputs of the optimiser state and the updated parameter (update: 'adam'). */
  m?: string; v?: string; paramOut?: string; mOut?: string; vOut?: string;
  /** Gradient output (update: 'none'). */
  grad?: string;
  /** Hard-concrete noise input. */
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
  floatType?: number;
}

export interface TrainingGraph {
  model: Model;
  /** The model inputs that take data (after odd-one-out flattening). */
  dataInputs: string[];
  onehot: string;
  classes: number;
  /** Scalar inputs: β for continuous sparsification, the bias-corrected step size for Adam. */
  beta?: string;
  stepSize?: string;
  loss: string;
  headLoss: string;
  correct: string;
  tensors: TrainableTensor[];
  floatType: number;
}

export const DEFAULT_ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

export async function buildTrainingGraph(source: Model, options: TrainingGraphOptions): Promise<TrainingGraph> {
  const floatType = options.floatType ?? DataType.FLOAT;
  const opset = defaultOpset(source);
  if (opset < 13) {
    throw new TrainerError(`the model uses opset ${opset}; training needs opset 13 or newer (re-export the model with a newer opset)`);
  }
  const graph: Graph = cloneGraph(source.graph);
  const b = new GraphBuilder(graph, 'train', floatType);
  const outputInfo = source.graph.outputs.find((o) => o.name === options.output);
  if (!outputInfo) {
    throw new TrainerError(`output '${options.output}' is not an output of the model (outputs: ${source.graph.outputs.map((o) => o.name).join(', ')})`);
  }
  const shapes0 = await inferShapes(source);
  const outShape = shapes0.get(options.output);
  const width = outShape && typeof outShape[outShape.length - 1] === 'number' ? (outShape[outShape.length - 1] as number) : NaN;
  if (!outShape || outShape.length !== 2 || !Number.isFinite(width)) {
    throw new TrainerError(`output '${options.output}' must be [batch, width] with a fixed width; its shape is [${(outShape ?? []).join(', ')}]`);
  }
  const classes = headClasses(options.head, width);

  const tensors: TrainableTensor[] = [];
  const penalties: string[] = [];
  let beta: string | undefined;
  if (options.target.kind === 'mask' && options.target.method === 'continuous-sparsification') {
    beta = b.input('train/beta', floatType, []);
  }
  for (const name of options.tensors) {
    const w = graph.initializers.get(name);
    if (!w) throw new TrainerError(`'${name}' is not an initializer of the model`);
    if (w.dataType !== DataType.FLOAT && w.dataType !== DataType.DOUBLE) {
      throw new TrainerError(`initializer '${name}' has a non-float type and cannot be trained or masked`);
    }
    const axis = options.unitAxes?.get(name);
    const shape = axis === undefined ? [...w.dims] : w.dims.map((d, i) => (i === axis ? d : 1));
    if (options.target.kind === 'weights') {
      graph.initializers.delete(name);
      b.input(name, floatType, shape);
      tensors.push({ initializer: name, param: name, shape });
      continue;
    }
    const param = b.input(`mask/${name}`, floatType, shape);
    const t: TrainableTensor = { initializer: name, param, shape };
    let gate: string;
    if (options.target.method === 'identity') {
      gate = param;
    } else if (options.target.method === 'continuous-sparsification') {
      const g = continuousSparsificationGate(b, param, beta!);
      gate = g.gate; penalties.push(g.penalty);
    } else {
      t.noise = b.input(`noise/${name}`, floatType, shape);
      const g = hardConcreteGate(b, param, t.noise);
      gate = g.gate; penalties.push(g.penalty);
    }
    const masked = b.emit1('Mul', [name, gate]);
    for (const node of graph.nodes) {
      if (node.outputs[0] === masked) continue;
      node.inputs = node.inputs.map((i) => (i === name ? masked : i));
    }
    tensors.push(t);
  }

  const onehot = b.input('train/onehot', floatType, [null, classes]);
  const head = appendHead(b, options.head, options.output, onehot, width);
  let loss = head.loss;
  if (penalties.length > 0 && options.target.kind === 'mask') {
    const total = penalties.reduce((acc, p) => b.emit1('Add', [acc, p]));
    loss = b.emit1('Add', [head.loss, b.emit1('Mul', [total, b.constant([options.target.lambda])])]);
  }
  graph.outputs = [];
  b.output(loss, floatType, []);
  b.output(head.loss, floatType, []);
  b.output(head.correct, floatType, []);

  const forward: Model = { ...source, graph, proto: undefined };
  if (floatType === DataType.DOUBLE) toFloat64InPlace(forward);
  const shapes = await inferShapes(forward);
  const { graph: full, gradients } = differentiate(graph, { loss, wrt: tensors.map((t) => t.param), shapes, floatType, opset });
  const out = new GraphBuilder(full, 'update', floatType);
  let stepSize: string | undefined;
  if (options.update === 'adam') {
    const { beta1, beta2, epsilon } = options.adam ?? DEFAULT_ADAM;
    stepSize = out.input('train/step_size', floatType, []);
    for (const t of tensors) {
      const g = gradientOf(gradients, t.param);
      t.m = out.input(`adam_m/${t.initializer}`, floatType, t.shape);
      t.v = out.input(`adam_v/${t.initializer}`, floatType, t.shape);
      const m2 = out.emit1('Add', [out.emit1('Mul', [t.m, out.constant([beta1])]), out.emit1('Mul', [g, out.constant([1 - beta1])])]);
      const v2 = out.emit1('Add', [out.emit1('Mul', [t.v, out.constant([beta2])]), out.emit1('Mul', [out.emit1('Mul', [g, g]), out.constant([1 - beta2])])]);
      const delta = out.emit1('Div', [out.emit1('Mul', [m2, stepSize]), out.emit1('Add', [out.emit1('Sqrt', [v2]), out.constant([epsilon])])]);
      t.paramOut = out.emit1('Sub', [t.param, delta]);
      t.mOut = m2; t.vOut = v2;
      for (const o of [t.paramOut, t.mOut, t.vOut]) out.output(o, floatType, t.shape);
    }
  } else {
    for (const t of tensors) {
      t.grad = gradientOf(gradients, t.param);
      out.output(t.grad, floatType, t.shape);
    }
  }
  const dataInputs = source.graph.inputs.map((i) => i.name);
  return { model: { ...forward, graph: full }, dataInputs, onehot, classes, beta, stepSize, loss, headLoss: head.loss, correct: head.correct, tensors, floatType };
}

function gradientOf(gradients: Map<string, string>, param: string): string {
  const g = gradients.get(param);
  if (!g) throw new TrainerError(`'${param}' does not influence the loss: no path from it to the scored output`);
  return g;
}

export function cloneGraph(g: Graph): Graph {
  return {
    ...g,
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: new Map(n.attributes) })),
    inputs: [...g.inputs], outputs: [...g.outputs], valueInfo: [], initializers: new Map(g.initializers),
    proto: undefined,
  };
}

/**
 * Turns every float32 tensor of a model into float64 (initializers, inputs, Cast targets, Constant
 * values): the float64 variant of a generated graph used by gradient checks.
 */
export function toFloat64InPlace(model: Model): void {
  const g = model.graph;
  for (const [k, t] of g.initializers) {
    if (t.dataType === DataType.FLOAT) g.initializers.set(k, { ...t, dataType: DataType.DOUBLE, data: Float64Array.from(t.data as Float32Array), proto: undefined, external: undefined });
  }
  for (const v of [...g.inputs, ...g.outputs]) if (v.elemType === DataType.FLOAT) { v.elemType = DataType.DOUBLE; v.proto = undefined; }
  for (const n of g.nodes) {
    for (const [k, a] of n.attributes) {
      if (a.type === 'int' && k === 'to' && n.opType === 'Cast' && a.value === DataType.FLOAT) n.attributes.set(k, { type: 'int', value: DataType.DOUBLE });
      if (a.type === 'tensor' && a.value.dataType === DataType.FLOAT) {
        n.attributes.set(k, { type: 'tensor', value: { ...a.value, dataType: DataType.DOUBLE, data: Float64Array.from(a.value.data as Float32Array), proto: undefined } });
      }
      if (n.opType === 'Constant' && (k === 'value_float' || k === 'value_floats')) {
        const vals = a.type === 'float' ? [a.value] : a.type === 'floats' ? a.value : [];
        n.attributes.delete(k);
        n.attributes.set('value', { type: 'tensor', value: { name: '', dataType: DataType.DOUBLE, dims: k === 'value_float' ? [] : [vals.length], data: Float64Array.from(vals) } });
      }
    }
  }
}

export function parameterCount(t: TrainableTensor): number {
  return elementCount(t.shape);
}

export type { Dim };
