// The float64 variant of a generated graph cannot run as is: onnxruntime's CPU build has no float64
// kernel for Conv, ConvTranspose, AveragePool, GlobalAveragePool, InstanceNormalization, MaxUnpool or Resize (measured
// with onnxruntime-node 1.30). This pass replaces those nodes by the same computation in ops that do
// have float64 kernels, so gradient checks of convolutional models stay in double precision:
// - Conv / ConvTranspose / AveragePool: the elements of every window are gathered into columns
//   (Gather with an index table computed here from the static geometry; padding and positions no
//   input reaches read a zero slot), then contracted with the kernel by Einsum (or summed and divided
//   by the window counts);
// - GlobalAveragePool → ReduceMean over space; InstanceNormalization → its formula;
// - MaxUnpool (the MaxPool gradient's scatter) → ScatterElements of X at the flat indices into zeros;
// - Resize, Upsample (nearest, linear) → products with interpolation matrices (rules/resizeMatrix.ts);
// - activations without float64 kernels at most opsets (HardSigmoid, HardSwish, Softplus, Elu, Selu,
//   PRelu, Mish: none at opsets 9–17 and 20; Clip before 13) → their definitions in Max/Min/Where/Exp/Log/Tanh;
// - GroupNormalization → its formula (from opset 21 onnxruntime computes its statistics in float32).
// Static spatial sizes (and channel counts) are read from a float32 twin of the model by inferShapes.
// The lowering is exact arithmetic reordering of the same sums; its test compares it with
// onnxruntime's float32 kernels.
import type { Graph, Model, Node, Tensor } from '../onnx/ir';
import { attrFloat, attrInt, attrInts, attrString, DataType, defaultOpset } from '../onnx/ir';
import { makeNode, type AttrInput } from '../onnx/makeModel';
import { makeTensor } from '../onnx/tensorCodec';
import { inferShapes } from '../runtime/inferShapes';
import { AutodiffError } from './errors';
import { windowCounts } from './rules/averagePool';
import { alongAxis, resizeMatrices } from './rules/resizeMatrix';
import { forwardWindowTable, windowGeometry, windowTable } from './rules/windowGeometry';

const ACTIVATIONS = ['HardSigmoid', 'HardSwish', 'Softplus', 'Elu', 'Selu', 'PRelu', 'Mish', 'Clip'];

export const FLOAT_ONLY_OPS: ReadonlySet<string> = new Set([
  'Conv', 'ConvTranspose', 'AveragePool', 'GlobalAveragePool', 'InstanceNormalization', 'MaxUnpool',
  'Resize', 'Upsample', 'GroupNormalization', ...ACTIVATIONS]);

/** A copy of a float64 `model` in which every node of FLOAT_ONLY_OPS is replaced by float64-capable ops (constants it
 * adds are float64). */
export async function lowerFloatOnlyOps(model: Model): Promise<Model> {
  const opset = defaultOpset(model);
  const targets = model.graph.nodes.filter((n) => isTarget(n, opset));
  if (targets.length === 0) return model;
  const shapes = await inferShapes(float32Twin(model));
  const b = new Lowerer(model.graph, opset);
  const nodes: Node[] = [];
  for (const node of model.graph.nodes) {
    if (!isTarget(node, opset)) { nodes.push(node); continue; }
    b.out = nodes;
    b.current = node;
    const dims = (name: string, from = 0): number[] => {
      const s = shapes.get(name)?.slice(from);
      if (!s || s.some((d) => typeof d !== 'number')) {
        throw new AutodiffError(`cannot lower node '${node.name}' (${node.opType}) to float64 ops: the sizes of ` +
          `'${name}' from axis ${from} are not static`, node.name, name);
      }
      return s as number[];
    };
    const rank = shapes.get(node.inputs[0]!)?.length ?? 0;
    if (node.opType === 'GroupNormalization') lowerGroupNormalization(b, node, rank);
    else lowerNode(b, node, dims);
  }
  const initializers = new Map(model.graph.initializers);
  for (const [k, t] of b.constants) initializers.set(k, t);
  return { ...model, proto: undefined, graph: { ...model.graph, proto: undefined, nodes, initializers } };
}

function isTarget(n: Node, opset: number): boolean {
  if (n.opType === 'Clip' && opset >= 13) return false; // Clip-13 has float64 (and integer) kernels
  return (n.domain === '' || n.domain === 'ai.onnx') && FLOAT_ONLY_OPS.has(n.opType);
}

type DimsOf = (name: string, from?: number) => number[];

function lowerNode(b: Lowerer, node: Node, dims: DimsOf): void {
  if (node.opType === 'Resize' || node.opType === 'Upsample') { lowerResize(b, node, dims); return; }
  if (ACTIVATIONS.includes(node.opType)) { lowerActivation(b, node); return; }
  const [x] = node.inputs as [string];
  const y = node.outputs[0]!;
  const spatial = dims(x, 2);
  const sp = spatial.map((_, i) => i + 2);
  switch (node.opType) {
    case 'MaxUnpool': {
      const [, indices, outputShape] = node.inputs as [string, string, string | undefined];
      if (!outputShape) throw new AutodiffError(
        `cannot lower node '${node.name}' (MaxUnpool) to float64 ops: it needs its output_shape input`, node.name);
      const flat = b.int64([-1]);
      const zeros = b.emit('Reshape', [b.emit('Expand', [b.constant(0), outputShape]), flat]);
      const scattered = b.emit('ScatterElements',
        [zeros, b.emit('Reshape', [indices, flat]), b.emit('Reshape', [x, flat])], { axis: 0 });
      b.emitTo([y], 'Reshape', [scattered, outputShape]);
      return;
    }
    case 'GlobalAveragePool':
      if (b.opset >= 18) b.emitTo([y], 'ReduceMean', [x, b.int64(sp)], { keepdims: 1 });
      else b.emitTo([y], 'ReduceMean', [x], { axes: sp, keepdims: 1 });
      return;
    case 'InstanceNormalization': {
      const mean = (t: string) => (b.opset >= 18 ? b.emit('ReduceMean', [t, b.int64(sp)], { keepdims: 1 })
        : b.emit('ReduceMean', [t], { axes: sp, keepdims: 1 }));
      const d = b.emit('Sub', [x, mean(x)]);
      const rstd = b.emit('Reciprocal',
        [b.emit('Sqrt', [b.emit('Add', [mean(b.emit('Mul', [d, d])), b.constant(attrFloat(node, 'epsilon', 1e-5))])])]);
      const col = b.int64([-1, ...sp.map(() => 1)]);
      const scaled = b.emit('Mul', [b.emit('Mul', [d, rstd]), b.emit('Reshape', [node.inputs[1]!, col])]);
      b.emitTo([y], 'Add', [scaled, b.emit('Reshape', [node.inputs[2]!, col])]);
      return;
    }
    case 'AveragePool': {
      const g = windowGeometry(node, spatial, attrInts(node, 'kernel_shape')!);
      const cols = b.gatherWindows(x, spatial, forwardWindowTable(g), g.kernel.reduce((p, q) => p * q, 1));
      const sums = b.opset >= 13 ? b.emit('ReduceSum', [cols, b.int64([3])], { keepdims: 0 })
        : b.emit('ReduceSum', [cols], { axes: [3], keepdims: 0 });
      const mean = b.emit('Div', [sums, b.constantTensor(windowCounts(g, attrInt(node, 'count_include_pad', 0) === 1),
        [g.out.reduce((p, q) => p * q, 1)])]);
      b.emitTo([y], 'Reshape', [mean, b.int64([0, 0, ...g.out])]);
      return;
    }
    case 'Conv': {
      const w = node.inputs[1]!;
      const wd = dims(w);
      const group = attrInt(node, 'group', 1);
      const [m, cg] = [wd[0]!, wd[1]!];
      const g = windowGeometry(node, spatial, attrInts(node, 'kernel_shape') ?? wd.slice(2));
      const kt = g.kernel.reduce((p, q) => p * q, 1);
      const ot = g.out.reduce((p, q) => p * q, 1);
      const cols = b.emit('Reshape',
        [b.gatherWindows(x, spatial, forwardWindowTable(g), kt), b.int64([0, group, cg, ot, kt])]);
      const wr = b.emit('Reshape', [w, b.int64([group, m / group, cg, kt])]);
      const prod = b.emit('Einsum', [cols, wr], { equation: 'ngcok,gmck->ngmo' });
      addBias(b, node, b.emit('Reshape', [prod, b.int64([0, m, ...g.out])]), y, sp);
      return;
    }
    case 'ConvTranspose': {
      if (attrInts(node, 'output_shape') || attrString(node, 'auto_pad', 'NOTSET') !== 'NOTSET') {
        throw new AutodiffError(`cannot lower node '${node.name}' (ConvTranspose) to float64 ops: only explicit pads ` +
          `are supported (no output_shape, auto_pad NOTSET)`, node.name);
      }
      const w = node.inputs[1]!;
      const wd = dims(w);
      const group = attrInt(node, 'group', 1);
      const [cin, mg] = [wd[0]!, wd[1]!];
      const kernel = attrInts(node, 'kernel_shape') ?? wd.slice(2);
      const n = spatial.length;
      const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
      const dil = attrInts(node, 'dilations') ?? kernel.map(() => 1);
      const pads = attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0);
      const outPad = attrInts(node, 'output_padding') ?? kernel.map(() => 0);
      const out = spatial.map((h, i) =>
        strides[i]! * (h - 1) + outPad[i]! + (kernel[i]! - 1) * dil[i]! + 1 - pads[i]! - pads[i + n]!);
      const table = windowTable(out, kernel, (q, k, i) => {
        const p = q + pads[i]! - k * dil[i]!;
        return p % strides[i]! === 0 && p >= 0 && p / strides[i]! < spatial[i]! ? p / strides[i]! : -1;
      }, spatial);
      const kt = kernel.reduce((p, q) => p * q, 1);
      const qt = out.reduce((p, q) => p * q, 1);
      const cols = b.emit('Reshape',
        [b.gatherWindows(x, spatial, table, kt), b.int64([0, group, cin / group, qt, kt])]);
      const wr = b.emit('Reshape', [w, b.int64([group, cin / group, mg, kt])]);
      const prod = b.emit('Einsum', [cols, wr], { equation: 'ngcqk,gcmk->ngmq' });
      addBias(b, node, b.emit('Reshape', [prod, b.int64([0, group * mg, ...out])]), y, sp);
      return;
    }
  }
}

function lowerGroupNormalization(b: Lowerer, node: Node, rank: number): void {
  const [x, scale, bias] = node.inputs as [string, string, string];
  const mean = (t: string) => b.emit('ReduceMean', [t, b.int64([2])], { keepdims: 1 });
  const grouped = b.emit('Reshape', [x, b.int64([0, attrInt(node, 'num_groups', 1), -1])]);
  const d = b.emit('Sub', [grouped, mean(grouped)]);
  const variance = b.emit('Add', [mean(b.emit('Mul', [d, d])), b.constant(attrFloat(node, 'epsilon', 1e-5))]);
  const normalised = b.emit('Mul', [d, b.emit('Reciprocal', [b.emit('Sqrt', [variance])])]);
  if (b.opset >= 21) { // scale and bias per channel
    const column = b.int64([-1, ...new Array<number>(rank - 2).fill(1)]);
    const back = b.emit('Reshape', [normalised, b.emit('Shape', [x])]);
    const scaled = b.emit('Mul', [back, b.emit('Reshape', [scale, column])]);
    b.emitTo([node.outputs[0]!], 'Add', [scaled, b.emit('Reshape', [bias, column])]);
  } else { // per group (opset 18)
    const column = b.int64([-1, 1]);
    const scaled = b.emit('Mul', [normalised, b.emit('Reshape', [scale, column])]);
    const affine = b.emit('Add', [scaled, b.emit('Reshape', [bias, column])]);
    b.emitTo([node.outputs[0]!], 'Reshape', [affine, b.emit('Shape', [x])]);
  }
}

function lowerActivation(b: Lowerer, node: Node): void {
  const [x, y] = [node.inputs[0]!, node.outputs[0]!];
  const c = (v: number) => b.constant(Math.fround(v));
  const at = (name: string, fallback: number) => c(attrFloat(node, name, fallback));
  const mul = (p: string, q: string) => b.emit('Mul', [p, q]);
  const unitRamp = (t: string) => b.emit('Max', [b.emit('Min', [t, c(1)]), c(0)]);
  // softplus(x) = max(x, 0) + log(1 + exp(−|x|)), which cannot overflow
  const softplus = () => {
    const tail = b.emit('Log', [b.emit('Add', [c(1), b.emit('Exp', [b.emit('Neg', [b.emit('Abs', [x])])])])]);
    return b.emit('Add', [b.emit('Max', [x, c(0)]), tail]);
  };
  const expLinear = (alpha: string) => {
    const negative = mul(alpha, b.emit('Sub', [b.emit('Exp', [x]), c(1)]));
    return b.emit('Where', [b.emit('Greater', [x, c(0)]), x, negative]);
  };
  switch (node.opType) {
    case 'HardSigmoid': {
      b.emitTo([y], 'Identity', [unitRamp(b.emit('Add', [mul(x, at('alpha', 0.2)), at('beta', 0.5)]))]);
      return;
    }
    case 'HardSwish': b.emitTo([y], 'Mul', [x, unitRamp(b.emit('Add', [b.emit('Div', [x, c(6)]), c(0.5)]))]); return;
    case 'Softplus': b.emitTo([y], 'Identity', [softplus()]); return;
    case 'Elu': b.emitTo([y], 'Identity', [expLinear(at('alpha', 1))]); return;
    case 'Selu': {
      const gamma = at('gamma', 1.05070102214813232421875);
      b.emitTo([y], 'Mul', [gamma, expLinear(at('alpha', 1.67326319217681884765625))]);
      return;
    }
    case 'PRelu': b.emitTo([y], 'Where', [b.emit('Less', [x, c(0)]), mul(x, node.inputs[1]!), x]); return;
    case 'Mish': b.emitTo([y], 'Mul', [x, b.emit('Tanh', [softplus()])]); return;
    default: { // Clip: bounds as inputs from opset 11, as attributes before
      const [lo, hi] = b.opset >= 11 ? [node.inputs[1] || null, node.inputs[2] || null]
        : [node.attributes.has('min') ? at('min', 0) : null, node.attributes.has('max') ? at('max', 0) : null];
      const floored = lo ? b.emit('Max', [x, lo]) : x;
      b.emitTo([y], hi ? 'Min' : 'Identity', hi ? [floored, hi] : [floored]);
    }
  }
}

function lowerResize(b: Lowerer, node: Node, dims: DimsOf): void {
  const [x, y] = [node.inputs[0]!, node.outputs[0]!];
  const builder = {
    emit1: (op: string, inputs: string[], attrs?: Record<string, AttrInput>) => b.emit(op, inputs, attrs),
    constant: (values: number[], d?: number[]) =>
      b.constantTensor(values, d ?? (values.length === 1 ? [] : [values.length])),
    int64: (values: number[], d?: number[]) => b.int64(values, d),
    constantValue: (name: string) => b.constantValue(name),
    shape: (name: string) => dims(name),
    floatType: DataType.DOUBLE,
    opset: b.opset,
  };
  let value = x;
  const rank = dims(x).length;
  for (const { axis, matrix } of resizeMatrices(node, builder, dims(y))) {
    value = alongAxis(builder, value, matrix, axis, rank);
  }
  b.emitTo([y], 'Identity', [value]);
}

function addBias(b: Lowerer, node: Node, value: string, y: string, sp: number[]): void {
  const bias = node.inputs[2];
  if (bias) b.emitTo([y], 'Add', [value, b.emit('Reshape', [bias, b.int64([-1, ...sp.map(() => 1)])])]);
  else b.emitTo([y], 'Identity', [value]);
}

/** Appends nodes and constants with fresh names. */
class Lowerer {
  out: Node[] = [];
  current!: Node;
  readonly constants = new Map<string, Tensor>();
  private readonly taken = new Set<string>();
  private counter = 0;

  constructor(private readonly graph: Graph, readonly opset: number) {
    for (const n of graph.nodes) { this.taken.add(n.name); n.outputs.forEach((o) => this.taken.add(o)); }
    for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) this.taken.add(v.name);
    for (const k of graph.initializers.keys()) this.taken.add(k);
  }

  private fresh(hint: string): string {
    let name: string;
    do name = `lower/${hint}_${this.counter++}`; while (this.taken.has(name));
    this.taken.add(name);
    return name;
  }

  emitTo(outputs: string[], op: string, inputs: string[], attrs?: Record<string, AttrInput>): void {
    this.out.push(makeNode({ op, inputs, outputs, attrs, name: this.fresh(`${this.current.name}/${op}`) }, 0));
  }

  emit(op: string, inputs: string[], attrs?: Record<string, AttrInput>): string {
    const y = this.fresh(op);
    this.emitTo([y], op, inputs, attrs);
    return y;
  }

  int64(values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh('i64');
    this.constants.set(name, makeTensor(name, DataType.INT64, dims, values.map(BigInt)));
    return name;
  }

  constantTensor(values: number[], dims: number[]): string {
    const name = this.fresh('const');
    this.constants.set(name, makeTensor(name, DataType.DOUBLE, dims, values));
    return name;
  }

  /** Values of an initializer or Constant node output, as numbers; null otherwise. */
  constantValue(name: string): number[] | null {
    const t = this.graph.initializers.get(name)
      ?? this.graph.nodes.find((n) => n.opType === 'Constant' && n.outputs[0] === name)?.attributes.get('value');
    const tensor = t && 'dataType' in t ? t : t?.type === 'tensor' ? t.value : undefined;
    return tensor ? Array.from(tensor.data as ArrayLike<number | bigint>, (v) => Number(v)) : null;
  }

  constant(value: number): string {
    return this.constantTensor([value], []);
  }

  /** [N, C, positions, kernel] columns of x gathered by a flat index table (−1 reads a zero slot). */
  gatherWindows(x: string, spatial: number[], table: number[], kernelSize: number): string {
    const total = spatial.reduce((a, s) => a * s, 1);
    const flat = this.emit('Reshape', [x, this.int64([0, 0, -1])]);
    const withZero = this.emit('Pad', [flat, this.int64([0, 0, 0, 0, 0, 1])], { mode: 'constant' });
    const indices = this.int64(table.map((v) => (v < 0 ? total : v)), [table.length / kernelSize, kernelSize]);
    return this.emit('Gather', [withZero, indices], { axis: 2 });
  }
}

/** The same model with float64 turned into float32 everywhere (for shape inference only). */
function float32Twin(model: Model): Model {
  const g = model.graph;
  const f32 = (t: Tensor): Tensor => (t.dataType === DataType.DOUBLE
    ? { ...t, dataType: DataType.FLOAT, data: Float32Array.from(t.data as Float64Array), proto: undefined,
      external: undefined }
    : t);
  const vi = <T extends { elemType: number; proto?: unknown }>(v: T): T =>
    (v.elemType === DataType.DOUBLE ? { ...v, elemType: DataType.FLOAT, proto: undefined } : v);
  const nodes = g.nodes.map((n) => {
    const attributes = new Map(n.attributes);
    for (const [k, a] of attributes) {
      if (a.type === 'int' && k === 'to' && n.opType === 'Cast' && a.value === DataType.DOUBLE)
        attributes.set(k, { type: 'int', value: DataType.FLOAT });
      if (a.type === 'tensor') attributes.set(k, { type: 'tensor', value: f32(a.value) });
    }
    return { ...n, attributes, proto: undefined };
  });
  const initializers = new Map([...g.initializers].map(([k, t]) => [k, f32(t)]));
  return { ...model, proto: undefined, graph: { ...g, proto: undefined, nodes, initializers, inputs: g.inputs.map(vi),
    outputs: g.outputs.map(vi), valueInfo: g.valueInfo.map(vi) } };
}

