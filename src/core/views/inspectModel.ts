// A plain-JSON summary of a model: versions, inputs/outputs, op histogram, parameters, maskable tensors,
// control flow, and which ops have no gradient rule. Used by `subnetwork-lens inspect` and the extension.
import { findControlFlow, type ControlFlowNode } from '../onnx/findControlFlow';
import { dataTypeName, defaultOpset, type Dim, type LoadChanges, type Model, type ValueInfo } from '../onnx/ir';
import { softmaxLogits } from '../train/lossHeads';
import { buildLayerGraph } from './layerGraph';

export interface InspectedValue {
  name: string;
  dataType: string;
  shape: Dim[] | null;
}

export interface InspectReport {
  irVersion: number;
  opset: number;
  opsetImports: { domain: string; version: number }[];
  producer: { name: string; version: string };
  graphName: string;
  inputs: InspectedValue[];
  outputs: InspectedValue[];
  nodeCount: number;
  /** Op types by count (descending, then name); non-default domains as `domain:Op`. */
  opHistogram: { op: string; count: number }[];
  parameterCount: number;
  parameterTensorCount: number;
  maskable: {
    tensorCount: number; parameterCount: number;
    /** `parameter`: the PyTorch parameter when the initializer was renamed or transposed by the exporter. */
    tensors: { name: string; shape: number[]; count: number; parameter?: string }[];
    /** Float matrices left out because they are not parameters (constants the exporter computed), with why. */
    notParameters: { name: string; shape: number[]; reason: string }[];
  };
  controlFlow: ControlFlowNode[];
  /** What loading changed: Constant-held weights made initializers, an old opset upgraded (or why not). */
  loadChanges: LoadChanges;
  /** Outputs that are a Softmax over classes: a classify head scores the Softmax's input (`logits`). */
  softmaxOutputs: { output: string; logits: string }[];
  /**
   * Ops without a gradient rule on a path from a maskable tensor to an output (others never need one);
   * `checked` is false when the autodiff registry is not available.
   */
  gradients: { checked: boolean; unsupported: { op: string; count: number }[] };
}

export interface InspectOptions {
  /** Measured shapes (e.g. from inferShapes) to fill in undeclared input/output shapes. */
  shapes?: Map<string, Dim[]>;
  /** Op types (`Op` or `domain:Op`) the training engine can differentiate; omit when unknown. */
  supportedGradientOps?: readonly string[];
  /** Ops whose outputs carry no gradient (Shape, ArgMax, …): paths through them need no rule. */
  nonDifferentiableOps?: readonly string[];
}

export function inspectModel(model: Model, options: InspectOptions = {}): InspectReport {
  const g = model.graph;
  const view = buildLayerGraph(model);
  const opKey = (op: string, domain: string) => (domain === '' || domain === 'ai.onnx' ? op : `${domain}:${op}`);

  const counts = new Map<string, number>();
  for (const n of g.nodes) {
    const k = opKey(n.opType, n.domain);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const histogram = [...counts].map(([op, count]) => ({ op, count }))
    .sort((a, b) => b.count - a.count || a.op.localeCompare(b.op));

  const maskable = new Map<string, InspectReport['maskable']['tensors'][number]>();
  const notParameters = new Map<string, InspectReport['maskable']['notParameters'][number]>();
  for (const n of view.nodes) {
    for (const p of n.parameters) {
      const parameter = p.parameter ? { parameter: p.parameter } : {};
      if (p.maskable) maskable.set(p.name, { name: p.name, shape: p.shape, count: p.count, ...parameter });
      if (p.notMaskable) notParameters.set(p.name, { name: p.name, shape: p.shape, reason: p.notMaskable });
    }
  }
  const maskableList = [...maskable.values()];

  const value = (v: ValueInfo): InspectedValue => {
    const measured = options.shapes?.get(v.name);
    const shape = v.shape && !(measured && v.shape.some((d) => d === null)) ? v.shape : measured ?? v.shape;
    return { name: v.name, dataType: dataTypeName[v.elemType] ?? (v.elemType ? String(v.elemType) : 'unknown'), shape };
  };

  const supported = options.supportedGradientOps ? new Set(options.supportedGradientOps) : undefined;
  const stops = new Set(options.nonDifferentiableOps);
  return {
    irVersion: model.irVersion,
    opset: defaultOpset(model),
    opsetImports: model.opsetImports.map((o) => ({ domain: o.domain || 'ai.onnx', version: o.version })),
    producer: { name: model.producerName, version: model.proto?.producerVersion ?? '' },
    graphName: g.name,
    inputs: g.inputs.map(value),
    outputs: g.outputs.map(value),
    nodeCount: g.nodes.length,
    opHistogram: histogram,
    parameterCount: view.model.parameterCount,
    parameterTensorCount: countParameterTensors(view),
    maskable: {
      tensorCount: maskableList.length,
      parameterCount: maskableList.reduce((s, t) => s + t.count, 0),
      tensors: maskableList,
      notParameters: [...notParameters.values()],
    },
    controlFlow: findControlFlow(model),
    loadChanges: model.loadChanges ?? { hoistedConstants: [] },
    softmaxOutputs: g.outputs.flatMap((o) => {
      const logits = o.shape === null || o.shape.length === 2 ? softmaxLogits(g, o.name, { type: 'classify' }) : null;
      return logits ? [{ output: o.name, logits }] : [];
    }),
    gradients: supported
      ? { checked: true, unsupported: unsupportedOnPaths(model, new Set(maskable.keys()), supported, stops, opKey) }
      : { checked: false, unsupported: [] },
  };
}

function countParameterTensors(view: ReturnType<typeof buildLayerGraph>): number {
  const names = new Set<string>();
  const floatTypes = new Set(['float', 'double', 'float16', 'bfloat16']);
  for (const n of view.nodes) for (const p of n.parameters) if (floatTypes.has(p.dataType)) names.add(p.name);
  return names.size;
}

/**
 * Ops without a rule among the nodes that read a maskable tensor, directly or through differentiable ops
 * (a Shape of an activation starts no gradient path), and feed an output.
 */
function unsupportedOnPaths(
  model: Model, maskable: Set<string>, supported: Set<string>, stops: Set<string>,
  opKey: (op: string, domain: string) => string,
): { op: string; count: number }[] {
  const nodes = model.graph.nodes;
  const fromWeights = new Set(maskable);
  for (const n of nodes) {
    if (stops.has(opKey(n.opType, n.domain)) || !n.inputs.some((i) => fromWeights.has(i))) continue;
    for (const o of n.outputs) fromWeights.add(o);
  }
  const toOutputs = new Set(model.graph.outputs.map((o) => o.name));
  for (const n of [...nodes].reverse()) {
    if (n.outputs.some((o) => toOutputs.has(o))) for (const i of n.inputs) toOutputs.add(i);
  }
  const counts = new Map<string, number>();
  for (const n of nodes) {
    const key = opKey(n.opType, n.domain);
    const onPath = n.inputs.some((i) => fromWeights.has(i)) && n.outputs.some((o) => toOutputs.has(o));
    if (supported.has(key) || stops.has(key) || !onPath) continue;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([op, count]) => ({ op, count }))
    .sort((a, b) => b.count - a.count || a.op.localeCompare(b.op));
}
