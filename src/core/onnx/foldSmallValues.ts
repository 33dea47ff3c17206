// Constant folding of the small numeric tensors that shape code passes around (a Shape result, axes,
// Reshape targets, pads, Resize scales): at most MAX_FOLDED elements, any rank. Elements are Dims, so
// a dimension taken from a symbolic input stays a symbol and an unknown element is null. Only what
// static shape inference needs is folded; every other op gives undefined (value unknown).
import { attrInt, DataType, type Dim, type Node, type Tensor } from './ir';

/** A folded tensor: its dims and row-major elements. `integer` is false for float tensors (Div and Cast differ). */
export interface SmallValue {
  dims: number[];
  data: Dim[];
  integer: boolean;
}

/** Larger tensors are not folded: shape code never needs them, and it keeps folding cheap. */
export const MAX_FOLDED = 64;

const INTEGER_TYPES: ReadonlySet<number> = new Set([
  DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.INT32, DataType.UINT32,
  DataType.INT64, DataType.UINT64, DataType.BOOL,
]);
const FLOAT_TYPES: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.DOUBLE]);

const num = (d: Dim | undefined): d is number => typeof d === 'number';
const count = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** A value of these dims, when it is small enough to fold. */
function value(dims: number[], data: Dim[], integer: boolean): SmallValue | undefined {
  return data.length <= MAX_FOLDED && count(dims) === data.length ? { dims, data, integer } : undefined;
}

/** The value of an initializer or Constant tensor, when it is small and numeric. */
export function smallTensorValue(t: Tensor): SmallValue | undefined {
  if (t.external || typeof t.data[0] === 'string' || t.data.length > MAX_FOLDED) return undefined;
  const integer = INTEGER_TYPES.has(t.dataType);
  if (!integer && !FLOAT_TYPES.has(t.dataType)) return undefined;
  return value([...t.dims], Array.from(t.data as ArrayLike<number | bigint>, Number), integer);
}

/** What a folding rule sees: the node and the folded values (or undefined) of its inputs. */
export interface FoldInputs {
  node: Node;
  value(i: number): SmallValue | undefined;
  /** Shape of input i when known (for Shape and Size). */
  shape(i: number): Dim[] | undefined;
}

type FoldRule = (f: FoldInputs) => SmallValue | undefined;

function normaliseAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RangeError(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Row-major strides of `dims`. */
function strides(dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) out[i] = out[i + 1]! * dims[i + 1]!;
  return out;
}

/** The elements of `v` at every combination of the given per-axis indices (row-major). */
function pick(v: SmallValue, perAxis: number[][]): Dim[] {
  const st = strides(v.dims);
  let offsets = [0];
  perAxis.forEach((indices, axis) => {
    offsets = offsets.flatMap((o) => indices.map((i) => o + i * st[axis]!));
  });
  return offsets.map((o) => v.data[o]!);
}

/** Elementwise arithmetic where the shapes match or one side has one element; symbols pass x·1, x+0, x−0, x/1. */
function arithmetic(op: (a: number, b: number) => number, identity: number, commutes: boolean): FoldRule {
  return (f) => {
    const a = f.value(0);
    const b = f.value(1);
    if (!a || !b || a.integer !== b.integer) return undefined;
    const dims = a.data.length === 1 && b.dims.length >= a.dims.length ? b.dims : a.dims;
    const matches = (v: SmallValue) => v.data.length === 1 || v.dims.join() === dims.join();
    if (!matches(a) || !matches(b)) return undefined;
    const data = Array.from({ length: count(dims) }, (_, i) => {
      const x = a.data[a.data.length === 1 ? 0 : i]!;
      const y = b.data[b.data.length === 1 ? 0 : i]!;
      if (num(x) && num(y)) {
        const r = op(x, y);
        return Number.isFinite(r) ? (a.integer ? Math.trunc(r) : r) : null;
      }
      if (y === identity) return x;
      if (commutes && x === identity) return y;
      return null;
    });
    return value([...dims], data, a.integer);
  };
}

/** Axes of Squeeze/Unsqueeze: the attribute before opset 13, input 1 from then on. */
function axesOf(f: FoldInputs): number[] | undefined {
  const a = f.node.attributes.get('axes');
  if (a?.type === 'ints') return a.value;
  const v = f.value(1)?.data;
  return v && v.every(num) ? (v as number[]) : undefined;
}

const FOLD_RULES: Record<string, FoldRule> = {
  Identity: (f) => f.value(0),
  Cast: (f) => {
    const v = f.value(0);
    const to = attrInt(f.node, 'to', 0);
    if (!v) return undefined;
    if (INTEGER_TYPES.has(to) && to !== DataType.BOOL) {
      return { ...v, integer: true, data: v.data.map((d) => (num(d) ? Math.trunc(d) : d)) };
    }
    return FLOAT_TYPES.has(to) ? { ...v, integer: false } : undefined;
  },
  Shape: (f) => {
    const s = f.shape(0);
    if (!s) return undefined;
    const start = clampIndex(attrInt(f.node, 'start', 0), s.length);
    const end = clampIndex(f.node.attributes.has('end') ? attrInt(f.node, 'end', s.length) : s.length, s.length);
    const data = s.slice(start, Math.max(start, end));
    return value([data.length], data, true);
  },
  Size: (f) => {
    const s = f.shape(0);
    return s && s.every(num) ? value([], [count(s as number[])], true) : undefined;
  },
  Gather: (f) => {
    const data = f.value(0);
    const idx = f.value(1);
    if (!data || data.dims.length !== 1 || !idx || normaliseAxis(attrInt(f.node, 'axis', 0), 1) !== 0) return undefined;
    const n = data.data.length;
    const picked = idx.data.map((i) => (num(i) && i >= -n && i < n ? data.data[i < 0 ? i + n : i]! : undefined));
    return picked.includes(undefined) ? undefined : value([...idx.dims], picked as Dim[], data.integer);
  },
  Unsqueeze: (f) => {
    const v = f.value(0);
    const axes = axesOf(f);
    if (!v || !axes) return undefined;
    const rank = v.dims.length + axes.length;
    const ones = new Set(axes.map((a) => normaliseAxis(a, rank)));
    const rest = [...v.dims];
    return value(Array.from({ length: rank }, (_, i) => (ones.has(i) ? 1 : rest.shift()!)), v.data, v.integer);
  },
  Squeeze: (f) => {
    const v = f.value(0);
    const given = Boolean(f.node.inputs[1]) || f.node.attributes.has('axes');
    const axes = given ? axesOf(f) : v?.dims.flatMap((d, i) => (d === 1 ? [i] : []));
    if (!v || !axes) return undefined;
    const drop = new Set(axes.map((a) => normaliseAxis(a, v.dims.length)));
    return value(v.dims.filter((_, i) => !drop.has(i)), v.data, v.integer);
  },
  Reshape: (f) => {
    const v = f.value(0);
    const target = f.value(1)?.data;
    if (!v || !target || !target.every(num)) return undefined;
    const dims = (target as number[]).map((d, i) => (d === 0 && !attrInt(f.node, 'allowzero', 0) ? v.dims[i]! : d));
    const known = count(dims.filter((d) => d !== -1));
    const free = dims.indexOf(-1);
    if (free >= 0 && known > 0) dims[free] = v.data.length / known;
    return value(dims, v.data, v.integer);
  },
  Transpose: (f) => {
    const v = f.value(0);
    if (!v) return undefined;
    const a = f.node.attributes.get('perm');
    const perm = a?.type === 'ints' ? a.value : v.dims.map((_, i) => v.dims.length - 1 - i);
    if (perm.length !== v.dims.length) return undefined;
    const st = strides(v.dims);
    const dims = perm.map((p) => v.dims[normaliseAxis(p, v.dims.length)]!);
    const out: Dim[] = [];
    const index = new Array<number>(dims.length).fill(0);
    for (let k = 0; k < v.data.length; k++) {
      out.push(v.data[index.reduce((o, i, axis) => o + i * st[perm[axis]!]!, 0)]!);
      for (let axis = dims.length - 1; axis >= 0 && ++index[axis]! === dims[axis]!; axis--) index[axis] = 0;
    }
    return value(dims, out, v.integer);
  },
  Concat: (f) => {
    const parts = f.node.inputs.map((_, i) => f.value(i));
    if (parts.length === 0 || parts.some((p) => !p || p.dims.length !== parts[0]!.dims.length)) return undefined;
    const list = parts as SmallValue[];
    const axis = normaliseAxis(attrInt(f.node, 'axis', 0), list[0]!.dims.length);
    const outer = count(list[0]!.dims.slice(0, axis));
    const data: Dim[] = [];
    for (let o = 0; o < outer; o++) {
      for (const p of list) {
        const inner = count(p.dims.slice(axis));
        data.push(...p.data.slice(o * inner, (o + 1) * inner));
      }
    }
    const dims = list[0]!.dims.map((d, i) => (i === axis ? list.reduce((sum, p) => sum + p.dims[i]!, 0) : d));
    return list.every((p) => p.integer === list[0]!.integer) ? value(dims, data, list[0]!.integer) : undefined;
  },
  Slice: (f) => {
    const v = f.value(0);
    const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => {
      const d = f.node.inputs[i] ? f.value(i)?.data : undefined;
      return d && d.every(num) ? (d as number[]) : undefined;
    });
    if (!v || !starts || !ends || (f.node.inputs[3] && !axes) || (f.node.inputs[4] && !steps)) return undefined;
    const perAxis = v.dims.map((n) => Array.from({ length: n }, (_, i) => i));
    starts.forEach((start, k) => {
      const axis = normaliseAxis(axes ? axes[k]! : k, v.dims.length);
      const step = steps ? steps[k]! : 1;
      if (step === 0) throw new RangeError('Slice step 0');
      const range = sliceRange(start, ends[k]!, step, v.dims[axis]!);
      const kept: number[] = [];
      for (let i = range.start; step > 0 ? i < range.end : i > range.end; i += step) kept.push(i);
      perAxis[axis] = kept;
    });
    return value(perAxis.map((a) => a.length), pick(v, perAxis), v.integer);
  },
  ConstantOfShape: (f) => {
    const shape = f.value(0)?.data;
    if (!shape || !shape.every(num) || count(shape as number[]) > MAX_FOLDED) return undefined;
    const attr = f.node.attributes.get('value');
    const fill = attr?.type === 'tensor' ? smallTensorValue(attr.value) : { dims: [1], data: [0], integer: false };
    if (!fill || fill.data.length !== 1) return undefined;
    return value(shape as number[], new Array<Dim>(count(shape as number[])).fill(fill.data[0]!), fill.integer);
  },
  Add: arithmetic((a, b) => a + b, 0, true),
  Sub: arithmetic((a, b) => a - b, 0, false),
  Mul: arithmetic((a, b) => a * b, 1, true),
  Div: (f) => {
    const integer = f.value(0)?.integer;
    return arithmetic((a, b) => (integer ? Math.trunc(a / b) : a / b), 1, false)(f);
  },
};

/** Folds output 0 of `node` when its inputs are known small values; undefined otherwise. */
export function foldSmallValue(f: FoldInputs): SmallValue | undefined {
  if (f.node.domain !== '' && f.node.domain !== 'ai.onnx') return undefined;
  if (f.node.opType === 'Constant') return constantValue(f.node);
  return FOLD_RULES[f.node.opType]?.(f);
}

function constantValue(node: Node): SmallValue | undefined {
  const [name, attr] = [...node.attributes][0] ?? [];
  if (!attr) return undefined;
  if (name === 'value' && attr.type === 'tensor') return smallTensorValue(attr.value);
  if (name === 'value_int' && attr.type === 'int') return value([], [attr.value], true);
  if (name === 'value_ints' && attr.type === 'ints') return value([attr.value.length], attr.value, true);
  if (name === 'value_float' && attr.type === 'float') return value([], [attr.value], false);
  if (name === 'value_floats' && attr.type === 'floats') return value([attr.value.length], attr.value, false);
  return undefined;
}

function clampIndex(i: number, n: number): number {
  return Math.min(n, Math.max(0, i < 0 ? i + n : i));
}

/** ONNX Slice semantics on one axis of length n: clamped start and end for the given step. */
export function sliceRange(start: number, end: number, step: number, n: number): { start: number; end: number } {
  const s = start < 0 ? start + n : start;
  const e = end < 0 ? end + n : end;
  return step > 0
    ? { start: Math.min(n, Math.max(0, s)), end: Math.min(n, Math.max(0, e)) }
    : { start: Math.min(n - 1, Math.max(0, s)), end: Math.min(n - 1, Math.max(-1, e)) };
}

/** Number of elements a Slice keeps on an axis of length n. */
export function sliceLength(start: number, end: number, step: number, n: number): number {
  const r = sliceRange(start, end, step, n);
  return Math.max(0, Math.ceil((r.end - r.start) / step));
}
