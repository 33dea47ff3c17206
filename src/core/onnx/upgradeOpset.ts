// Raises a model of opset 7–12 to opset 13, the oldest the training engine builds on. Attributes that
// became inputs (Clip min/max at 11; Squeeze, Unsqueeze, Split, ReduceSum axes at 13; Pad at 11; Slice
// and TopK at 10; Dropout ratio at 12) turn into constant inputs; Upsample and opset-10 Resize become a
// Resize with the same sampling; (Log)Softmax and Hardmax keep their pre-13 meaning (normalise over the
// input coerced to 2-D at `axis`); BatchNormalization drops the attributes of old opsets. Other ops keep
// their meaning across these versions (Reduce* other than ReduceSum keep attributes until opset 18).
import type { GraphProto } from 'onnx-buf';
import { GraphBuilder } from './GraphBuilder';
import { OnnxFormatError } from './errors';
import {
  attrInt, attrInts, attrString, DataType, dataTypeName, defaultOpset,
  type AttributeValue, type Graph, type Model, type Node,
} from './ir';
import { makeNode, type AttrInput } from './makeModel';

export const TRAINING_OPSET = 13;

export interface OpsetUpgrade {
  from: number;
  to: number;
  /** Rewrites by kind, e.g. `{ change: 'Clip', count: 3 }`, in order of first occurrence. */
  changes: { change: string; count: number }[];
}

/**
 * Upgrades the model in place to opset 13 and returns what changed; undefined when it already is at 13
 * or newer. Throws an OnnxFormatError naming the node and op it cannot rewrite, leaving the model as it was.
 */
export function upgradeOpset(model: Model): OpsetUpgrade | undefined {
  const from = defaultOpset(model);
  if (from === 0 || from >= TRAINING_OPSET) return undefined;
  const graph = model.graph;
  const staged: Graph = { ...graph, initializers: new Map(graph.initializers) };
  const upgrader = new Upgrader(staged, from);
  for (const node of graph.nodes) upgrader.upgrade(node);
  graph.nodes = staged.nodes;
  graph.initializers = staged.initializers;
  const isDefault = (domain: string) => domain === '' || domain === 'ai.onnx';
  model.opsetImports = model.opsetImports.map((o) => (isDefault(o.domain) ? { ...o, version: TRAINING_OPSET } : o));
  return { from, to: TRAINING_OPSET, changes: upgrader.changes() };
}

type Rewrite = (u: Upgrader, node: Node) => void;

/** A rewrite of one node: new inputs (trailing empty ones dropped), attributes dropped and set, a new op type. */
interface NodeChanges { inputs?: string[]; drop?: string[]; set?: Record<string, AttrInput>; op?: string }

/** Ops whose outputs have the rank of their first input. */
const RANK_KEEPING = new Set([
  'Abs', 'AveragePool', 'BatchNormalization', 'Cast', 'Ceil', 'Clip', 'Concat', 'Conv', 'ConvTranspose', 'Dropout',
  'Elu', 'Erf', 'Exp', 'Floor', 'GlobalAveragePool', 'GlobalMaxPool', 'HardSigmoid', 'Hardmax', 'Identity',
  'InstanceNormalization', 'LRN', 'LeakyRelu', 'Log', 'LogSoftmax', 'MaxPool', 'Neg', 'PRelu', 'Pad', 'Reciprocal',
  'Relu', 'Resize', 'Selu', 'Sigmoid', 'Sign', 'Slice', 'Softmax', 'Softplus', 'Softsign', 'Sqrt', 'Tanh', 'Upsample',
]);
const BROADCASTING = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean']);
/** Producers followed back when looking for a rank or element type. */
const MAX_WALK = 500;

class Upgrader {
  private readonly b: GraphBuilder;
  private readonly counts = new Map<string, number>();
  private readonly producer = new Map<string, Node>();
  private readonly declared = new Map<string, { rank?: number; elemType: number }>();
  private readonly ranks = new Map<string, number | undefined>();
  private walking = 0;

  constructor(private readonly graph: Graph, readonly from: number) {
    this.b = new GraphBuilder(graph, 'upgrade');
    for (const n of graph.nodes) for (const o of n.outputs) this.producer.set(o, n);
    for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) {
      this.declared.set(v.name, { rank: v.shape?.length, elemType: v.elemType });
    }
    for (const t of graph.initializers.values()) {
      this.declared.set(t.name, { rank: t.dims.length, elemType: t.dataType });
    }
    graph.nodes = [];
  }

  upgrade(node: Node): void {
    checkSubgraphs(node);
    const rewrite = node.domain === '' ? REWRITES[node.opType] : undefined;
    if (rewrite) rewrite(this, node);
    else this.push(node);
  }

  push(node: Node): void {
    this.graph.nodes.push(node);
  }

  /** A node computing `op` into fresh outputs; returns the first. */
  emit(op: string, inputs: string[], attrs?: Record<string, AttrInput>): string {
    return this.b.emit1(op, inputs, attrs);
  }

  /** `node` with the named attributes removed and the given ones set. */
  with(node: Node, changes: NodeChanges): Node {
    const attributes = new Map<string, AttributeValue>(node.attributes);
    for (const name of changes.drop ?? []) attributes.delete(name);
    const set = makeNode({ op: node.opType, inputs: [], outputs: [], attrs: changes.set }, 0).attributes;
    for (const [k, v] of set) attributes.set(k, v);
    const inputs = [...(changes.inputs ?? node.inputs)];
    while (inputs.length > 0 && inputs[inputs.length - 1] === '') inputs.pop();
    return { ...node, opType: changes.op ?? node.opType, inputs, attributes };
  }

  /** An int64 vector; attribute values past ±2⁶³ (INT64_MAX read as a double) are clamped back into range. */
  int64(values: number[]): string {
    const limit = 2n ** 63n - 1n;
    const clamped = values.map((v) => (v >= 2 ** 63 ? limit : v <= -(2 ** 63) ? -limit - 1n : BigInt(v)));
    return this.b.initializer('i64', DataType.INT64, [values.length], clamped);
  }

  floats(values: number[], dims: number[] = [values.length]): string {
    return this.b.initializer('const', DataType.FLOAT, dims, values);
  }

  /** A scalar of the element type of `like` (float or double). */
  scalarLike(node: Node, like: string, value: number): string {
    const type = this.elemType(like);
    if (type !== DataType.FLOAT && type !== DataType.DOUBLE) {
      throw new OnnxFormatError(`node '${node.name}' (${node.opType}): cannot move an attribute to an input of ` +
        `type ${dataTypeName[type] ?? type} when upgrading to opset ${TRAINING_OPSET}`);
    }
    return this.b.initializer('const', type, [], [value]);
  }

  count(change: string): void {
    this.counts.set(change, (this.counts.get(change) ?? 0) + 1);
  }

  changes(): { change: string; count: number }[] {
    return [...this.counts].map(([change, count]) => ({ change, count }));
  }

  /** True when a node or a graph output reads the tensor. */
  isRead(name: string): boolean {
    if (this.graph.outputs.some((o) => o.name === name)) return true;
    return [...this.producer.values()].some((n) => n.inputs.includes(name));
  }

  /**
   * The rank of a tensor when declared or evident from the ops that make it; undefined otherwise (callers
   * then use a rank-free form). The walk back stops after MAX_WALK producers to keep the stack shallow.
   */
  rank(name: string): number | undefined {
    if (this.ranks.has(name)) return this.ranks.get(name);
    if (this.walking >= MAX_WALK) return undefined;
    this.ranks.set(name, undefined);
    this.walking++;
    const r = this.declared.get(name)?.rank ?? this.producedRank(name);
    this.walking--;
    this.ranks.set(name, r);
    return r;
  }

  private producedRank(name: string): number | undefined {
    const n = this.producer.get(name);
    if (!n || n.domain !== '') return undefined;
    const first = n.inputs[0] ?? '';
    const known = (rs: (number | undefined)[]) => (rs.every((r) => r !== undefined) ? (rs as number[]) : undefined);
    switch (n.opType) {
      case 'Gemm': case 'Flatten': return 2;
      case 'Constant': {
        const v = n.attributes.get('value');
        return v?.type === 'tensor' ? v.value.dims.length : undefined;
      }
      case 'Reshape': {
        const shape = this.graph.initializers.get(n.inputs[1] ?? '');
        return shape?.dims.length === 1 ? shape.dims[0] : undefined;
      }
      case 'Transpose': return attrInts(n, 'perm')?.length ?? this.rank(first);
      case 'Unsqueeze': case 'Squeeze': {
        const r = this.rank(first), axes = attrInts(n, 'axes');
        if (r === undefined || !axes) return undefined;
        return n.opType === 'Unsqueeze' ? r + axes.length : r - axes.length;
      }
      case 'MatMul': {
        const rs = known(n.inputs.map((i) => this.rank(i)));
        if (!rs || rs.length !== 2) return undefined;
        const [a, b] = rs as [number, number];
        return a === 1 && b === 1 ? 0 : a === 1 ? b - 1 : b === 1 ? a - 1 : Math.max(a, b);
      }
    }
    if (n.opType.startsWith('Reduce')) {
      const r = this.rank(first), a = attrInts(n, 'axes');
      if (r === undefined || attrInt(n, 'keepdims', 1) === 1) return r;
      return a ? r - a.length : 0;
    }
    if (RANK_KEEPING.has(n.opType) && name === n.outputs[0]) return this.rank(first);
    if (BROADCASTING.has(n.opType)) {
      const rs = known(n.inputs.map((i) => this.rank(i)));
      return rs ? Math.max(...rs) : undefined;
    }
    return undefined;
  }

  /** The element type of a tensor when declared or evident; float otherwise (what models are made of). */
  elemType(name: string, walked = 0): number {
    const d = this.declared.get(name)?.elemType;
    if (d) return d;
    const n = this.producer.get(name);
    if (!n || walked >= MAX_WALK) return DataType.FLOAT;
    if (n.opType === 'Cast') return attrInt(n, 'to', DataType.FLOAT);
    const v = n.attributes.get('value');
    if (n.opType === 'Constant' && v?.type === 'tensor') return v.value.dataType;
    const keepsType = RANK_KEEPING.has(n.opType) || BROADCASTING.has(n.opType);
    return keepsType ? this.elemType(n.inputs[0] ?? '', walked + 1) : DataType.FLOAT;
  }
}

/** An attribute list that became input `index` at opset `since` (axes of Squeeze, split of Split, …). */
function attributeToInput(attr: string, since: number): Rewrite {
  return (u, node) => {
    const values = attrInts(node, attr);
    if (u.from >= since || values === undefined) { u.push(node); return; }
    u.push(u.with(node, { inputs: [node.inputs[0] ?? '', u.int64(values)], drop: [attr] }));
    u.count(node.opType);
  };
}

const clip: Rewrite = (u, node) => {
  const min = node.attributes.get('min'), max = node.attributes.get('max');
  if (u.from >= 11 || (!min && !max)) { u.push(node); return; }
  const x = node.inputs[0] ?? '';
  const bound = (a: AttributeValue | undefined) => (a?.type === 'float' ? u.scalarLike(node, x, a.value) : '');
  u.push(u.with(node, { inputs: [x, bound(min), bound(max)], drop: ['min', 'max'] }));
  u.count('Clip');
};

const pad: Rewrite = (u, node) => {
  if (u.from >= 11) { u.push(node); return; }
  const pads = attrInts(node, 'pads');
  if (!pads) throw new OnnxFormatError(`node '${node.name}' (Pad): the 'pads' attribute is missing`);
  const value = node.attributes.get('value');
  const x = node.inputs[0] ?? '';
  const fill = value?.type === 'float' && value.value !== 0 ? u.scalarLike(node, x, value.value) : '';
  u.push(u.with(node, { inputs: [x, u.int64(pads), fill], drop: ['pads', 'value'] }));
  u.count('Pad');
};

const slice: Rewrite = (u, node) => {
  if (u.from >= 10) { u.push(node); return; }
  const starts = attrInts(node, 'starts'), ends = attrInts(node, 'ends'), axes = attrInts(node, 'axes');
  if (!starts || !ends) throw new OnnxFormatError(`node '${node.name}' (Slice): 'starts' or 'ends' is missing`);
  const inputs = [node.inputs[0] ?? '', u.int64(starts), u.int64(ends), ...(axes ? [u.int64(axes)] : [])];
  u.push(u.with(node, { inputs, drop: ['starts', 'ends', 'axes'] }));
  u.count('Slice');
};

const topK: Rewrite = (u, node) => {
  const k = node.attributes.get('k');
  if (u.from >= 10 || k?.type !== 'int') { u.push(node); return; }
  u.push(u.with(node, { inputs: [node.inputs[0] ?? '', u.int64([k.value])], drop: ['k'] }));
  u.count('TopK');
};

const dropout: Rewrite = (u, node) => {
  if (u.from >= 12) { u.push(node); return; }
  const mask = node.outputs[1];
  if (u.from < 10 && mask && u.isRead(mask)) {
    throw new OnnxFormatError(`node '${node.name}' (Dropout): its mask output is used, and its type changed ` +
      'at opset 10; cannot upgrade');
  }
  const ratio = node.attributes.get('ratio');
  const inputs = [node.inputs[0] ?? '', ratio?.type === 'float' ? u.floats([ratio.value], []) : ''];
  u.push(u.with(node, { inputs, drop: ['ratio', 'is_test'] }));
  u.count('Dropout');
};

const batchNormalization: Rewrite = (u, node) => {
  const old = ['spatial', 'is_test', 'consumed_inputs'].filter((a) => node.attributes.has(a));
  if (old.length === 0) { u.push(node); return; }
  if (attrInt(node, 'spatial', 1) === 0) {
    throw new OnnxFormatError(`node '${node.name}' (BatchNormalization): spatial=0 (statistics per activation) ` +
      `has no form in opset ${TRAINING_OPSET}`);
  }
  u.push(u.with(node, { drop: old }));
  u.count('BatchNormalization');
};

/** Before 13 the op normalises over the input coerced to 2-D at `axis` (default 1), from 13 over one axis. */
const softmaxLike: Rewrite = (u, node) => {
  if (u.from >= 13) { u.push(node); return; }
  const x = node.inputs[0] ?? '';
  const axis = attrInt(node, 'axis', 1);
  const rank = u.rank(x) ?? u.rank(node.outputs[0] ?? '');
  if (rank !== undefined && (axis < 0 ? axis + rank : axis) === rank - 1) {
    u.push(u.with(node, { set: { axis: -1 } }));
    return;
  }
  const flat = u.emit('Flatten', [x], { axis });
  const normalised = u.emit(node.opType, [flat], { axis: 1 });
  u.push(u.with(node, { op: 'Reshape', inputs: [normalised, u.emit('Shape', [x])], drop: ['axis'] }));
  u.count(`${node.opType} over 2-D`);
};

/** Upsample (scales an attribute at 7, an input from 9) and Resize-10 sample as Resize with asymmetric coordinates. */
function asymmetricResize(change: string): Rewrite {
  return (u, node) => {
    if (node.opType === 'Resize' && u.from !== 10) { u.push(node); return; }
    const attr = node.attributes.get('scales');
    const scales = attr?.type === 'floats' ? u.floats(attr.value) : node.inputs[1] ?? '';
    const mode = attrString(node, 'mode', 'nearest');
    const linear = mode === 'linear' || mode === 'bilinear';
    if (!linear && mode !== 'nearest') {
      throw new OnnxFormatError(`node '${node.name}' (${node.opType}): unknown mode '${mode}'`);
    }
    const set: Record<string, AttrInput> = linear
      ? { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }
      : { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
    u.push(u.with(node, { op: 'Resize', inputs: [node.inputs[0] ?? '', '', scales], drop: ['scales'], set }));
    u.count(change);
  };
}

/** ImageScaler (experimental, gone from opset 10): scale · X + bias per channel. */
const imageScaler: Rewrite = (u, node) => {
  const scale = node.attributes.get('scale'), bias = node.attributes.get('bias');
  const x = node.inputs[0] ?? '';
  const factor = u.floats([scale?.type === 'float' ? scale.value : 1], []);
  const channels = bias?.type === 'floats' ? bias.value : [];
  const drop = ['bias', 'scale'];
  if (channels.length === 0) {
    u.push(u.with(node, { op: 'Mul', inputs: [x, factor], drop }));
  } else {
    const inputs = [u.emit('Mul', [x, factor]), u.floats(channels, [1, channels.length, 1, 1])];
    u.push(u.with(node, { op: 'Add', inputs, drop }));
  }
  u.count('ImageScaler→Mul/Add');
};

/** Experimental ops removed at opset 10 that have no rewrite here, and Scan-8 (batched, unlike Scan-9). */
const refuse: Rewrite = (u, node) => {
  if (node.opType === 'Scan' && u.from >= 9) { u.push(node); return; }
  const what = node.opType === 'Scan' ? 'the batched Scan of opset 8' : 'this experimental op';
  throw new OnnxFormatError(`node '${node.name}' (${node.opType}): ${what} has no form in opset ${TRAINING_OPSET}`);
};

const scatter: Rewrite = (u, node) => {
  u.push(u.with(node, { op: 'ScatterElements' }));
  u.count('Scatter→ScatterElements');
};

const REWRITES: Record<string, Rewrite> = {
  Affine: refuse, ConstantFill: refuse, Crop: refuse, DynamicSlice: refuse, GRUUnit: refuse, GivenTensorFill: refuse,
  ParametricSoftplus: refuse, Scale: refuse, ScaledTanh: refuse, Scan: refuse,
  BatchNormalization: batchNormalization,
  ImageScaler: imageScaler,
  Clip: clip,
  Dropout: dropout,
  Hardmax: softmaxLike,
  LogSoftmax: softmaxLike,
  Pad: pad,
  ReduceSum: attributeToInput('axes', 13),
  Resize: asymmetricResize('Resize-10→Resize'),
  Scatter: scatter,
  Slice: slice,
  Softmax: softmaxLike,
  Split: attributeToInput('split', 13),
  Squeeze: attributeToInput('axes', 13),
  TopK: topK,
  Unsqueeze: attributeToInput('axes', 13),
  Upsample: asymmetricResize('Upsample→Resize'),
};

/** Subgraphs (If, Loop, Scan bodies) are not rewritten: refuse when one holds an op whose form changed. */
function checkSubgraphs(node: Node): void {
  const graphs = [...node.attributes.values()].flatMap((a) => {
    if (a.type === 'graph') return [a.value];
    return a.type === 'graphs' ? a.value : [];
  });
  const changed = changedOpIn(graphs);
  if (changed) {
    throw new OnnxFormatError(`node '${node.name}' (${node.opType}): its subgraph holds ${changed}, ` +
      `whose form changed before opset ${TRAINING_OPSET}; subgraphs are not upgraded`);
  }
}

function changedOpIn(graphs: GraphProto[]): string | undefined {
  for (const n of graphs.flatMap((g) => g.node)) {
    if ((n.domain === '' || n.domain === 'ai.onnx') && REWRITES[n.opType]) return n.opType;
    const inner = changedOpIn(n.attribute.flatMap((a) => [...(a.g ? [a.g] : []), ...a.graphs]));
    if (inner) return inner;
  }
  return undefined;
}
