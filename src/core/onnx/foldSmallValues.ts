// Constant folding of the small numeric tensors that shape code passes around (a Shape result, axes,
// Reshape targets, Resize scales): rank 0 or 1, at most MAX_FOLDED elements. Elements are Dims, so
// a dimension taken from a symbolic input stays a symbol and an unknown element is null. Only what
// static shape inference needs is folded; every other op gives undefined (value unknown).
import { attrInt, DataType, type Dim, type Node, type Tensor } from './ir';

/** A folded rank-0 or rank-1 tensor. `integer` is false for float tensors (Div and Cast differ). */
export interface SmallValue {
  scalar: boolean;
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

/** The value of an initializer or Constant tensor, when it is small, numeric and of rank ≤ 1. */
export function smallTensorValue(t: Tensor): SmallValue | undefined {
  if (t.dims.length > 1 || t.external || typeof t.data[0] === 'string') return undefined;
  const integer = INTEGER_TYPES.has(t.dataType);
  if (!integer && !FLOAT_TYPES.has(t.dataType)) return undefined;
  const count = t.dims.length === 0 ? 1 : t.dims[0]!;
  if (count > MAX_FOLDED || t.data.length !== count) return undefined;
  return { scalar: t.dims.length === 0, data: Array.from(t.data as ArrayLike<number | bigint>, Number), integer };
}

/** What a folding rule sees: the node and the folded values (or undefined) of its inputs. */
export interface FoldInputs {
  node: Node;
  value(i: number): SmallValue | undefined;
  /** Shape of input i when known (for Shape and Size). */
  shape(i: number): Dim[] | undefined;
}

type FoldRule = (f: FoldInputs) => SmallValue | undefined;

const vector = (data: Dim[], integer = true): SmallValue | undefined =>
  (data.length <= MAX_FOLDED ? { scalar: false, data, integer } : undefined);

const num = (d: Dim): d is number => typeof d === 'number';

/** Elementwise arithmetic with numpy broadcasting of rank ≤ 1 values; symbols pass through x·1, x+0, x−0, x/1. */
function arithmetic(op: (a: number, b: number) => number, identity: number, commutes: boolean): FoldRule {
  return (f) => {
    const a = f.value(0);
    const b = f.value(1);
    if (!a || !b || a.integer !== b.integer) return undefined;
    const n = Math.max(a.data.length, b.data.length);
    if ((a.data.length !== n && a.data.length !== 1) || (b.data.length !== n && b.data.length !== 1)) return undefined;
    const data = Array.from({ length: n }, (_, i) => {
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
    return { scalar: a.scalar && b.scalar, data, integer: a.integer };
  };
}

function normaliseAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
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
    return vector(s.slice(start, Math.max(start, end)));
  },
  Size: (f) => {
    const s = f.shape(0);
    if (!s || !s.every(num)) return undefined;
    return { scalar: true, data: [s.reduce((p, d) => p * d, 1)], integer: true };
  },
  Gather: (f) => {
    const data = f.value(0);
    const idx = f.value(1);
    if (!data || data.scalar || !idx || normaliseAxis(attrInt(f.node, 'axis', 0), 1) !== 0) return undefined;
    const n = data.data.length;
    const picked = idx.data.map((i) => (num(i) && i >= -n && i < n ? data.data[i < 0 ? i + n : i]! : undefined));
    if (picked.some((d) => d === undefined)) return undefined;
    return { scalar: idx.scalar, data: picked as Dim[], integer: data.integer };
  },
  Unsqueeze: (f) => {
    const v = f.value(0);
    const axes = f.node.attributes.has('axes') ? attrIntList(f.node, 'axes') : f.value(1)?.data;
    if (!v || !v.scalar || !axes || axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1)) return undefined;
    return { ...v, scalar: false };
  },
  Squeeze: (f) => {
    const v = f.value(0);
    if (!v || v.scalar || v.data.length !== 1) return undefined;
    return { ...v, scalar: true };
  },
  Concat: (f) => {
    const parts = f.node.inputs.map((_, i) => f.value(i));
    if (parts.some((p) => !p || p.scalar) || parts.length === 0) return undefined;
    const integer = parts[0]!.integer;
    if (parts.some((p) => p!.integer !== integer)) return undefined;
    return vector(parts.flatMap((p) => p!.data), integer);
  },
  Slice: (f) => {
    const v = f.value(0);
    if (!v || v.scalar) return undefined;
    const starts = f.value(1)?.data;
    const ends = f.value(2)?.data;
    const axes = f.node.inputs[3] ? f.value(3)?.data : [0];
    const steps = f.node.inputs[4] ? f.value(4)?.data : [1];
    if (!starts || !ends || !axes || !steps || starts.length !== 1 || ends.length !== 1) return undefined;
    if (axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1) || steps.length !== 1) return undefined;
    const [s, e, step] = [starts[0]!, ends[0]!, steps[0]!];
    if (!num(s) || !num(e) || !num(step) || step === 0) return undefined;
    const range = sliceRange(s, e, step, v.data.length);
    const data: Dim[] = [];
    for (let i = range.start; step > 0 ? i < range.end : i > range.end; i += step) data.push(v.data[i]!);
    return { ...v, data };
  },
  ConstantOfShape: (f) => {
    const shape = f.value(0);
    const n = shape && !shape.scalar && shape.data.length === 1 ? shape.data[0]! : null;
    if (!num(n) || n > MAX_FOLDED) return undefined;
    const attr = f.node.attributes.get('value');
    const fill = attr?.type === 'tensor' ? smallTensorValue(attr.value) : { scalar: true, data: [0], integer: false };
    if (!fill || fill.data.length !== 1) return undefined;
    return { scalar: false, data: new Array<Dim>(n).fill(fill.data[0]!), integer: fill.integer };
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
  if (name === 'value_int' && attr.type === 'int') return { scalar: true, data: [attr.value], integer: true };
  if (name === 'value_ints' && attr.type === 'ints') return vector(attr.value);
  if (name === 'value_float' && attr.type === 'float') return { scalar: true, data: [attr.value], integer: false };
  if (name === 'value_floats' && attr.type === 'floats') return vector(attr.value, false);
  return undefined;
}

function attrIntList(node: Node, name: string): number[] | undefined {
  const a = node.attributes.get(name);
  return a?.type === 'ints' ? a.value : undefined;
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
