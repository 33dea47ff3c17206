// ONNX shape inference rules for the common ops, one small function per op type: output shapes from
// input shapes, attributes and folded constant inputs. A rule returns undefined for an output it
// cannot determine, and a dim as null when only that dim is unknown. Rules may throw on malformed
// attributes; the caller turns that into "unknown". A dim is never guessed: unknown is allowed,
// wrong is not.
import { sliceLength, type SmallValue } from './foldSmallValues';
import { attrInt, attrString, type Dim, type Node } from './ir';

export type Shape = Dim[];

/** What a rule sees of one node. */
export interface RuleInputs {
  node: Node;
  opset: number;
  /** Shape of input i; undefined when unknown or the input is absent. */
  shape(i: number): Shape | undefined;
  /** Folded value of input i (small constant tensors only). */
  value(i: number): SmallValue | undefined;
  /** True when input i is given (optional inputs may be '' or missing). */
  has(i: number): boolean;
}

export type ShapeRule = (r: RuleInputs) => (Shape | undefined)[];

const num = (d: Dim | undefined): d is number => typeof d === 'number';

/** A non-negative integer dim, or null when the arithmetic gave anything else. */
const dim = (x: number): Dim => (Number.isInteger(x) && x >= 0 ? x : null);

function ints(node: Node, name: string): number[] | undefined {
  const a = node.attributes.get(name);
  return a?.type === 'ints' ? a.value : undefined;
}

/** Known integer elements of a folded value, or undefined if any is unknown. */
function numbers(v: SmallValue | undefined): number[] | undefined {
  return v && v.data.every(num) ? (v.data as number[]) : undefined;
}

function axisOf(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RangeError(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** The dim two tensors that must agree on it imply: a known one wins over an unknown one. */
function agree(a: Dim, b: Dim): Dim {
  if (a === null) return b;
  if (b === null || a === b) return a;
  return num(a) ? a : num(b) ? b : null;
}

/** Multidirectional (numpy) broadcasting of two dims. */
function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === b) return a;
  // A known dim other than 1 fixes the result: the other side is 1 or equal in a valid model.
  if (num(a) && !num(b)) return a;
  if (num(b) && !num(a)) return b;
  return null;
}

export function broadcast(shapes: Shape[]): Shape {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    const dims: Dim[] = shapes.map((s) => (i < rank - s.length ? 1 : s[i - (rank - s.length)]!));
    out.push(dims.reduce(broadcastDim));
  }
  return out;
}

function product(dims: Dim[]): Dim {
  return dims.every(num) ? dims.reduce((p, d) => p * d, 1) : null;
}

const same: ShapeRule = (r) => [r.shape(0)];
/** Output 0 and any further outputs (Dropout's mask, MaxPool's indices) have the input's shape. */
const sameForAll: ShapeRule = (r) => r.node.outputs.map(() => r.shape(0));

const elementwise: ShapeRule = (r) => {
  const shapes = r.node.inputs.map((_, i) => r.shape(i));
  return [shapes.every((s) => s) ? broadcast(shapes as Shape[]) : undefined];
};

function matmul(a: Shape, b: Shape): Shape | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]);
  const out = [...batch, a2.at(-2)!, b2.at(-1)!];
  if (b.length === 1) out.pop();
  if (a.length === 1) out.splice(out.length - (b.length === 1 ? 1 : 2), 1);
  return out;
}

/** Spatial output size of a convolution or pooling window. */
function windowSize(n: Dim, k: number, stride: number, dilation: number, padBegin: number, padEnd: number,
  autoPad: string, ceil: boolean): Dim {
  if (!num(n)) return null;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return dim(Math.ceil(n / stride));
  const span = dilation * (k - 1) + 1;
  const pads = autoPad === 'VALID' ? 0 : padBegin + padEnd;
  const exact = (n + pads - span) / stride;
  if (exact < 0) return null;
  // ceil_mode drops a last window that starts in the end padding; not modelled: unknown unless exact.
  if (ceil && !Number.isInteger(exact)) return null;
  return dim(Math.floor(exact) + 1);
}

/** Conv and the pooling ops: [N, channels, spatial…] with `channels` given by the caller. */
function windowed(r: RuleInputs, channels: Dim, kernel: number[] | undefined): Shape | undefined {
  const x = r.shape(0);
  if (!x || x.length < 3 || !kernel || kernel.length !== x.length - 2) return undefined;
  const s = x.length - 2;
  const strides = ints(r.node, 'strides') ?? new Array<number>(s).fill(1);
  const dilations = ints(r.node, 'dilations') ?? new Array<number>(s).fill(1);
  const pads = ints(r.node, 'pads') ?? new Array<number>(2 * s).fill(0);
  const autoPad = attrString(r.node, 'auto_pad', 'NOTSET');
  const ceil = attrInt(r.node, 'ceil_mode', 0) !== 0;
  if (strides.length !== s || dilations.length !== s || pads.length !== 2 * s) return undefined;
  if (![...strides, ...dilations].every((v) => Number.isInteger(v) && v > 0)) return undefined;
  const spatial = kernel.map((k, i) =>
    windowSize(x[i + 2]!, k, strides[i]!, dilations[i]!, pads[i]!, pads[i + s]!, autoPad, ceil));
  return [x[0]!, channels, ...spatial];
}

/** Kernel size from a weight's shape [out, in, k…], when its spatial dims are known. */
function kernelOf(w: Shape): number[] | undefined {
  const k = w.slice(2);
  return w.length > 2 && k.every(num) ? (k as number[]) : undefined;
}

const conv: ShapeRule = (r) => {
  const w = r.shape(1);
  return [windowed(r, w?.[0] ?? null, ints(r.node, 'kernel_shape') ?? (w ? kernelOf(w) : undefined))];
};

const pool: ShapeRule = (r) => {
  const out = windowed(r, r.shape(0)?.[1] ?? null, ints(r.node, 'kernel_shape'));
  return r.node.outputs.map(() => out);
};

const globalPool: ShapeRule = (r) => {
  const x = r.shape(0);
  return [x && x.length >= 2 ? [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] : undefined];
};

const convTranspose: ShapeRule = (r) => {
  const x = r.shape(0);
  const w = r.shape(1);
  if (!x || !w || x.length < 3 || w.length !== x.length) return [undefined];
  const s = x.length - 2;
  const group = attrInt(r.node, 'group', 1);
  const channels = num(w[1]) ? w[1] * group : null;
  const explicit = ints(r.node, 'output_shape');
  if (explicit) return [explicit.length === s ? [x[0]!, channels, ...explicit.map(dim)] : undefined];
  const kernel = ints(r.node, 'kernel_shape') ?? kernelOf(w);
  const strides = ints(r.node, 'strides') ?? new Array<number>(s).fill(1);
  const dilations = ints(r.node, 'dilations') ?? new Array<number>(s).fill(1);
  const pads = ints(r.node, 'pads') ?? new Array<number>(2 * s).fill(0);
  const outPad = ints(r.node, 'output_padding') ?? new Array<number>(s).fill(0);
  const autoPad = attrString(r.node, 'auto_pad', 'NOTSET');
  if (!kernel || kernel.length !== s || strides.length !== s) return [undefined];
  if (pads.length !== 2 * s || outPad.length !== s) return [undefined];
  const spatial = x.slice(2).map((n, i) => {
    if (!num(n)) return null;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return dim(n * strides[i]!);
    const p = autoPad === 'VALID' ? 0 : pads[i]! + pads[i + s]!;
    return dim(strides[i]! * (n - 1) + outPad[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - p);
  });
  return [[x[0]!, channels, ...spatial]];
};

const gemm: ShapeRule = (r) => {
  const a = r.shape(0);
  const b = r.shape(1);
  if (!a || !b || a.length !== 2 || b.length !== 2) return [undefined];
  const m = attrInt(r.node, 'transA', 0) ? a[1]! : a[0]!;
  const n = attrInt(r.node, 'transB', 0) ? b[0]! : b[1]!;
  return [[m, n]];
};

const flatten: ShapeRule = (r) => {
  const x = r.shape(0);
  if (!x) return [undefined];
  const axis = attrInt(r.node, 'axis', 1);
  const a = axis < 0 ? axis + x.length : axis;
  if (a < 0 || a > x.length) return [undefined];
  return [[symbolicProduct(x.slice(0, a)), symbolicProduct(x.slice(a))]];
};

/** Product of dims where at most one is not a number and the others are all 1 (then it is that dim). */
function symbolicProduct(dims: Dim[]): Dim {
  const other = dims.filter((d) => d !== 1);
  return other.length === 1 ? other[0]! : product(dims);
}

const reshape: ShapeRule = (r) => {
  const x = r.shape(0);
  const target = r.value(1);
  if (!target || target.dims.length !== 1) return [undefined];
  const allowZero = attrInt(r.node, 'allowzero', 0) !== 0;
  const out: Dim[] = target.data.map((d, i) => {
    if (d === 0 && !allowZero) return x && i < x.length ? x[i]! : null;
    return d === -1 ? -1 : typeof d === 'number' ? dim(d) : d;
  });
  const inferred = out.indexOf(-1);
  if (out.lastIndexOf(-1) !== inferred) return [undefined];
  if (inferred >= 0) out[inferred] = x ? remainingDim(x, out.filter((_, i) => i !== inferred)) : null;
  return [out];
};

/** The dim that makes `rest` hold as many elements as `all`; symbols in both cancel. */
function remainingDim(all: Dim[], rest: Dim[]): Dim {
  const numerator = [...all];
  const denominator: number[] = [];
  for (const d of rest) {
    if (num(d)) {
      denominator.push(d);
      continue;
    }
    const k = d === null ? -1 : numerator.indexOf(d);
    if (k < 0) return null;
    numerator.splice(k, 1);
  }
  const top = product(numerator);
  const bottom = product(denominator);
  return num(top) && num(bottom) && bottom > 0 ? dim(top / bottom) : null;
}

const transpose: ShapeRule = (r) => {
  const x = r.shape(0);
  if (!x) return [undefined];
  const perm = ints(r.node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length) return [undefined];
  return [perm.map((p) => x[axisOf(p, x.length)]!)];
};

const concat: ShapeRule = (r) => {
  const shapes = r.node.inputs.map((_, i) => r.shape(i));
  if (shapes.length === 0 || shapes.some((s) => !s || s.length !== shapes[0]!.length)) return [undefined];
  const rank = shapes[0]!.length;
  const axis = axisOf(attrInt(r.node, 'axis', 0), rank);
  const along = shapes.map((s) => s![axis]!);
  const total = along.every(num) ? along.reduce((sum, d) => sum + (d as number), 0) : null;
  return [shapes[0]!.map((_, i) => (i === axis ? total : shapes.map((s): Dim => s![i]!).reduce(agree)))];
};

/** Axes from the attribute (before opset `fromOpset`) or from input 1. */
function axesInput(r: RuleInputs, fromOpset: number): number[] | null | undefined {
  if (r.opset < fromOpset) return ints(r.node, 'axes') ?? null;
  if (!r.has(1)) return null;
  return numbers(r.value(1));
}

const squeeze: ShapeRule = (r) => {
  const x = r.shape(0);
  const axes = axesInput(r, 13);
  if (!x || axes === undefined) return [undefined];
  if (axes === null) return [x.every(num) ? x.filter((d) => d !== 1) : undefined];
  const drop = new Set(axes.map((a) => axisOf(a, x.length)));
  return [x.filter((_, i) => !drop.has(i))];
};

const unsqueeze: ShapeRule = (r) => {
  const x = r.shape(0);
  const axes = axesInput(r, 13);
  if (!x || !axes) return [undefined];
  const rank = x.length + axes.length;
  const ones = new Set(axes.map((a) => axisOf(a, rank)));
  if (ones.size !== axes.length) return [undefined];
  const rest = [...x];
  return [Array.from({ length: rank }, (_, i) => (ones.has(i) ? 1 : rest.shift()!))];
};

const slice: ShapeRule = (r) => {
  const x = r.shape(0);
  if (!x) return [undefined];
  const before10 = r.opset < 10;
  const starts = before10 ? ints(r.node, 'starts') : numbers(r.value(1));
  const ends = before10 ? ints(r.node, 'ends') : numbers(r.value(2));
  const axes = before10 ? ints(r.node, 'axes') : r.has(3) ? numbers(r.value(3)) : undefined;
  const steps = before10 ? undefined : r.has(4) ? numbers(r.value(4)) : undefined;
  if (!starts || !ends || starts.length !== ends.length) return [undefined];
  if ((!before10 && r.has(3) && !axes) || (r.has(4) && !steps)) return [undefined];
  const out = [...x];
  starts.forEach((start, k) => {
    const axis = axisOf(axes ? axes[k]! : k, x.length);
    const step = steps ? steps[k]! : 1;
    if (step === 0) throw new RangeError('Slice step 0');
    const n = x[axis]!;
    const whole = start === 0 && step === 1 && ends[k]! >= 2 ** 31 - 1;
    out[axis] = num(n) ? sliceLength(start, ends[k]!, step, n) : whole ? n : null;
  });
  return [out];
};

const gather: ShapeRule = (r) => {
  const x = r.shape(0);
  const idx = r.shape(1);
  if (!x || !idx) return [undefined];
  const axis = axisOf(attrInt(r.node, 'axis', 0), x.length);
  return [[...x.slice(0, axis), ...idx, ...x.slice(axis + 1)]];
};

const reduce: ShapeRule = (r) => {
  const x = r.shape(0);
  const fromOpset = r.node.opType === 'ReduceSum' ? 13 : 18;
  const axes = axesInput(r, fromOpset);
  if (!x || axes === undefined) return [undefined];
  const keep = attrInt(r.node, 'keepdims', 1) !== 0;
  const all = axes === null || axes.length === 0;
  if (all && r.opset >= fromOpset && attrInt(r.node, 'noop_with_empty_axes', 0)) return [x];
  const reduced = new Set(all ? x.map((_, i) => i) : axes!.map((a) => axisOf(a, x.length)));
  return [keep ? x.map((d, i) => (reduced.has(i) ? 1 : d)) : x.filter((_, i) => !reduced.has(i))];
};

const argReduce: ShapeRule = (r) => {
  const x = r.shape(0);
  if (!x) return [undefined];
  const axis = axisOf(attrInt(r.node, 'axis', 0), x.length);
  const keep = attrInt(r.node, 'keepdims', 1) !== 0;
  return [keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis)];
};

const split: ShapeRule = (r) => {
  const x = r.shape(0);
  if (!x) return r.node.outputs.map(() => undefined);
  const axis = axisOf(attrInt(r.node, 'axis', 0), x.length);
  const n = x[axis]!;
  const k = r.node.outputs.length;
  const given = r.opset < 13 ? ints(r.node, 'split') : r.has(1) ? numbers(r.value(1)) ?? null : undefined;
  let sizes: Dim[];
  if (given === null) return r.node.outputs.map(() => undefined);
  if (given) {
    sizes = given.map(dim);
  } else if (r.node.attributes.has('num_outputs')) {
    const parts = attrInt(r.node, 'num_outputs', k);
    const chunk = num(n) ? Math.ceil(n / parts) : null;
    sizes = Array.from({ length: k }, (_, i) => (num(chunk) && num(n) ? dim(Math.min(chunk, n - i * chunk)) : null));
  } else {
    sizes = Array.from({ length: k }, () => (num(n) && n % k === 0 ? n / k : null));
  }
  if (sizes.length !== k) return r.node.outputs.map(() => undefined);
  return sizes.map((size) => x.map((d, i) => (i === axis ? size : d)));
};

const expand: ShapeRule = (r) => {
  const x = r.shape(0);
  const target = r.value(1);
  if (!x || !target || target.dims.length !== 1) return [undefined];
  return [broadcast([x, target.data])];
};

const tile: ShapeRule = (r) => {
  const x = r.shape(0);
  const repeats = numbers(r.value(1));
  if (!x || !repeats || repeats.length !== x.length) return [undefined];
  return [x.map((d, i) => (repeats[i] === 1 ? d : num(d) ? dim(d * repeats[i]!) : null))];
};

const pad: ShapeRule = (r) => {
  const x = r.shape(0);
  const pads = r.opset < 11 ? ints(r.node, 'pads') : numbers(r.value(1));
  if (!x || !pads || (r.opset >= 18 && r.has(3)) || pads.length !== 2 * x.length) return [undefined];
  return [x.map((d, i) => {
    const extra = pads[i]! + pads[i + x.length]!;
    return extra === 0 ? d : num(d) ? dim(d + extra) : null;
  })];
};

const resize: ShapeRule = (r) => {
  const x = r.shape(0);
  const crop = attrString(r.node, 'coordinate_transformation_mode', '') === 'tf_crop_and_resize';
  if (!x || crop || r.node.attributes.has('axes')) return [undefined];
  const policy = attrString(r.node, 'keep_aspect_ratio_policy', 'stretch');
  const [scalesAt, sizesAt] = r.node.opType === 'Upsample' || r.opset < 11 ? [1, -1] : [2, 3];
  const sizes = sizesAt > 0 && r.has(sizesAt) ? numbers(r.value(sizesAt)) : undefined;
  if (sizes && sizes.length === x.length && policy === 'stretch') return [sizes.map(dim)];
  if (sizes) return [undefined];
  const scales = r.node.opType === 'Upsample' && r.opset < 9 ? r.node.attributes.get('scales') : undefined;
  const factors = scales?.type === 'floats' ? scales.value : r.has(scalesAt) ? numbers(r.value(scalesAt)) : undefined;
  if (!factors || factors.length !== x.length) return [undefined];
  return [x.map((d, i) => (factors[i] === 1 ? d : num(d) ? scaledDim(d, factors[i]!) : null))];
};

/**
 * floor(n · scale) with the product rounded to float32 as runtimes compute it; a product within
 * rounding error of an integer but not on it is left unknown (float32 and float64 may floor apart).
 */
function scaledDim(n: number, scale: number): Dim {
  const v = Math.fround(n * scale);
  const nearest = Math.round(v);
  return v !== nearest && Math.abs(v - nearest) < 1e-4 ? null : dim(Math.floor(v));
}

const shapeOp: ShapeRule = (r) => {
  const x = r.shape(0);
  if (!x) return [undefined];
  const clamp = (i: number) => Math.min(x.length, Math.max(0, i < 0 ? i + x.length : i));
  const start = clamp(attrInt(r.node, 'start', 0));
  const end = clamp(r.node.attributes.has('end') ? attrInt(r.node, 'end', x.length) : x.length);
  return [[Math.max(0, end - start)]];
};

const CONSTANT_LIST_ATTRIBUTES = new Set(['value_ints', 'value_floats', 'value_strings']);
const CONSTANT_SCALAR_ATTRIBUTES = new Set(['value_int', 'value_float', 'value_string']);

/** Constant from its attribute; ConstantOfShape from its folded shape input. */
const constantShape: ShapeRule = (r) => {
  if (r.node.opType === 'Constant') {
    const [name, a] = [...r.node.attributes][0] ?? [];
    if (name === 'value' && a?.type === 'tensor') return [[...a.value.dims]];
    if (name && CONSTANT_SCALAR_ATTRIBUTES.has(name)) return [[]];
    const list = name && CONSTANT_LIST_ATTRIBUTES.has(name) ? a : undefined;
    const listed = list && (list.type === 'ints' || list.type === 'floats' || list.type === 'strings');
    return [listed ? [list.value.length] : undefined];
  }
  const shape = r.value(0);
  return [shape && shape.dims.length === 1 ? shape.data.map((d) => (num(d) ? dim(d) : d)) : undefined];
};

const range: ShapeRule = (r) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => numbers(r.value(i))?.[0]);
  if (!num(start) || !num(limit) || !num(delta) || delta === 0) return [[null]];
  return [[Math.max(0, Math.ceil((limit - start) / delta))]];
};

const topK: ShapeRule = (r) => {
  const x = r.shape(0);
  if (!x) return [undefined, undefined];
  const axis = axisOf(attrInt(r.node, 'axis', -1), x.length);
  const k = r.opset < 10 ? attrInt(r.node, 'k', -1) : numbers(r.value(1))?.[0];
  const out = x.map((d, i) => (i === axis ? (num(k) ? dim(k) : null) : d));
  return [out, out];
};

const layerNorm: ShapeRule = (r) => {
  const x = r.shape(0);
  if (!x) return r.node.outputs.map(() => undefined);
  const axis = axisOf(attrInt(r.node, 'axis', -1), x.length);
  const stats = x.map((d, i) => (i < axis ? d : 1));
  return [x, stats, stats];
};

const UNARY = [
  'Identity', 'Cast', 'CastLike', 'Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Gelu', 'Erf',
  'Exp', 'Log', 'Neg', 'Abs', 'Sqrt', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Softplus', 'Softsign',
  'HardSigmoid', 'HardSwish', 'Mish', 'Clip', 'Not', 'IsNaN', 'IsInf', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan',
  'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Softmax', 'LogSoftmax', 'Hardmax', 'LRN', 'InstanceNormalization',
  'GroupNormalization', 'MeanVarianceNormalization', 'LpNormalization', 'Trilu', 'CumSum', 'Shrink',
  'ThresholdedRelu', 'QuantizeLinear', 'DequantizeLinear', 'BitwiseNot',
];
const BROADCASTING = [
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Equal', 'Less', 'Greater', 'LessOrEqual',
  'GreaterOrEqual', 'And', 'Or', 'Xor', 'Where', 'Mod', 'BitShift', 'PRelu', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor',
];
const REDUCE = [
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare',
];

/** Rules by op type of the default ONNX domain. */
export const staticShapeRules: Readonly<Record<string, ShapeRule>> = Object.freeze({
  ...Object.fromEntries(UNARY.map((op) => [op, same])),
  ...Object.fromEntries(BROADCASTING.map((op) => [op, elementwise])),
  ...Object.fromEntries(REDUCE.map((op) => [op, reduce])),
  Dropout: sameForAll,
  BatchNormalization: (r: RuleInputs) => [r.shape(0)],
  LayerNormalization: layerNorm,
  MatMul: (r: RuleInputs) => {
    const [a, b] = [r.shape(0), r.shape(1)];
    return [a && b ? matmul(a, b) : undefined];
  },
  Gemm: gemm,
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Slice: slice,
  Gather: gather,
  GatherElements: (r: RuleInputs) => [r.shape(1)],
  ArgMax: argReduce,
  ArgMin: argReduce,
  Split: split,
  Expand: expand,
  Tile: tile,
  Pad: pad,
  Resize: resize,
  Upsample: resize,
  Shape: shapeOp,
  Size: () => [[]],
  Constant: constantShape,
  ConstantOfShape: constantShape,
  Range: range,
  TopK: topK,
});
