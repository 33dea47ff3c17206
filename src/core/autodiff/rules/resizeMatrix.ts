// Resize in nearest or linear mode is separable: along each resized axis the output is M·X with an
// interpolation matrix M [out, in] (one-hot rows for nearest, two weights for linear). The matrices are
// built in the graph from the axis lengths, so they also serve run-time sizes. Used by the Resize
// gradient rule (dX applies Mᵀ) and by lowerFloatOnlyOps (Resize has no float64 kernel).
// Upsample (opsets 7–9) is Resize-10 with the scales as an attribute (7) or input 1 (9).
// Coordinates follow the ONNX spec: output index o maps to x = transform(o); nearest rounds x by
// nearest_mode (opset 10: down when upsampling, up when downsampling, as onnxruntime's Resize-10),
// linear mixes ⌊x⌋ and ⌊x⌋+1; both clamp to [0, in − 1].
import { attrInt, attrInts, attrString } from '../../onnx/ir';
import type { Dim, Node } from '../../onnx/ir';
import type { AttrInput } from '../../onnx/makeModel';
import { AutodiffError } from '../errors';
import { normAxis } from './helpers';

/** The graph-building calls the matrices need (a GradContext provides them). */
export interface GraphBuilder {
  emit1(op: string, inputs: string[], attrs?: Record<string, AttrInput>): string;
  constant(values: number[], dims?: number[]): string;
  int64(values: number[], dims?: number[]): string;
  constantValue(name: string): number[] | null;
  shape(name: string): Dim[] | null;
  readonly floatType: number;
  readonly opset: number;
}

export interface AxisMatrix { axis: number; matrix: string }

const TRANSFORMS = ['asymmetric', 'half_pixel', 'pytorch_half_pixel', 'align_corners', 'half_pixel_symmetric'];

/** Interpolation matrices [out, in] for every resized axis; `outLengths`: Y's lengths when Y cannot be read. */
export function resizeMatrices(node: Node, b: GraphBuilder, outLengths?: number[]): AxisMatrix[] {
  const fail = (why: string) => new AutodiffError(`node '${node.name}' (${node.opType}): ${why}`, node.name);
  const mode = attrString(node, 'mode', 'nearest');
  const transform = b.opset < 11 ? 'asymmetric' : attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  if (mode !== 'nearest' && mode !== 'linear') throw fail(`mode '${mode}' is not supported (nearest, linear)`);
  if (!TRANSFORMS.includes(transform)) throw fail(`coordinate_transformation_mode '${transform}' is not supported`);
  if (attrInt(node, 'antialias', 0) !== 0) throw fail('antialias is not supported');
  if (attrString(node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') {
    throw fail('keep_aspect_ratio_policy other than stretch is not supported');
  }
  const [x, y] = [node.inputs[0]!, node.outputs[0]!];
  const rank = b.shape(x)?.length;
  if (rank === undefined) throw fail(`the rank of '${x}' is unknown`);
  const scalesName = b.opset < 11 ? node.inputs[1] : node.inputs[2];
  const sizesName = b.opset < 11 ? undefined : node.inputs[3];
  const axes = (attrInts(node, 'axes') ?? Array.from({ length: rank }, (_, i) => i)).map((a) => normAxis(a, rank));
  const scalesAttr = node.attributes.get('scales'); // Upsample-7
  const scalesAttribute = scalesAttr?.type === 'floats' ? scalesAttr.value : null;
  const scaleValues = scalesAttribute ?? (scalesName ? b.constantValue(scalesName) : null);
  const useScales = !!scalesAttribute || (!!scalesName && (scaleValues ? scaleValues.length > 0 : !sizesName));
  const sizeValues = sizesName ? b.constantValue(sizesName) : null;
  const [xs, ys] = [b.shape(x) ?? [], outLengths ?? b.shape(y) ?? []];
  const result: AxisMatrix[] = [];
  axes.forEach((axis, k) => {
    if (scaleValues && scaleValues.length > 0 && scaleValues[k] === 1) return;
    if (sizeValues && sizeValues[k] === xs[axis]) return;
    if (!scaleValues && !sizeValues && xs[axis] !== null && xs[axis] === ys[axis]) return;
    const runTime = (t: string) => b.emit1('Slice', [b.emit1('Shape', [t]), b.int64([axis]), b.int64([axis + 1])]);
    const length = (t: string, d: Dim | undefined): Length => (typeof d === 'number'
      ? { value: b.constant([d]), count: d }
      : { value: toFloat(b, b.emit1('Reshape', [runTime(t), b.int64([], [0])])), count: null });
    const inLen = length(x, xs[axis]);
    const outLen = length(y, ys[axis]);
    let scale: string;
    if (!useScales) scale = b.emit1('Div', [outLen.value, inLen.value]);
    else if (scaleValues) scale = b.constant([Math.fround(scaleValues[k]!)]);
    else scale = toFloat(b, b.emit1('Gather', [scalesName!, b.int64([k], [])], { axis: 0 }));
    const coords = sourceCoordinates(b, transform, outLen, inLen, scale);
    const matrix = mode === 'nearest' ? nearestMatrix(b, node, coords, inLen, scale) : linearMatrix(b, coords, inLen);
    result.push({ axis, matrix });
  });
  return result;
}

type Binary = (p: string, q: string) => string;

/** An axis length as a float scalar tensor, and as a number when static. */
interface Length { value: string; count: number | null }

/** 0, 1, …, n − 1 as floats: a constant when n is static (Range needs opset 11). */
function arange(b: GraphBuilder, n: Length): string {
  if (n.count !== null) return b.constant(Array.from({ length: n.count }, (_, i) => i), [n.count]);
  return toFloat(b, b.emit1('Range', [b.int64([0], []), b.emit1('Cast', [n.value], { to: 7 }), b.int64([1], [])]));
}

function toFloat(b: GraphBuilder, t: string): string {
  return b.emit1('Cast', [t], { to: b.floatType });
}

/** Source coordinate of every output index along one axis, [out]. */
function sourceCoordinates(
  b: GraphBuilder, transform: string, outLength: Length, inLength: Length, scale: string,
): string {
  const c = (v: number) => b.constant([v]);
  const binary = (op: string) => (p: string, q: string) => b.emit1(op, [p, q]);
  const [add, sub, mul, div] = ['Add', 'Sub', 'Mul', 'Div'].map(binary) as [Binary, Binary, Binary, Binary];
  const [outLen, inLen] = [outLength.value, inLength.value];
  const o = arange(b, outLength);
  const halfPixel = sub(div(add(o, c(0.5)), scale), c(0.5));
  const several = b.emit1('Greater', [outLen, c(1)]);
  switch (transform) {
    case 'asymmetric': return div(o, scale);
    case 'half_pixel': return halfPixel;
    case 'pytorch_half_pixel': return b.emit1('Where', [several, halfPixel, c(0)]);
    case 'align_corners': return b.emit1('Where', [several, div(mul(o, sub(inLen, c(1))), sub(outLen, c(1))), c(0)]);
    default: { // half_pixel_symmetric
      const adjustment = div(outLen, mul(inLen, scale));
      const offset = mul(div(inLen, c(2)), sub(c(1), adjustment));
      return add(offset, halfPixel);
    }
  }
}

/** [out, in] with one-hot rows at the given (float, integral) source indices. */
function oneHot(b: GraphBuilder, indices: string, inLen: Length): string {
  const columns = arange(b, inLen);
  // |index − column| < ½ rather than Equal, which has no float kernels before opset 11.
  const column = b.emit1('Reshape', [indices, b.int64([-1, 1])]);
  const distance = b.emit1('Abs', [b.emit1('Sub', [column, b.emit1('Reshape', [columns, b.int64([1, -1])])])]);
  return toFloat(b, b.emit1('Less', [distance, b.constant([0.5])]));
}

function clampIndex(b: GraphBuilder, t: string, inLen: Length): string {
  return b.emit1('Max', [b.emit1('Min', [t, b.emit1('Sub', [inLen.value, b.constant([1])])]), b.constant([0])]);
}

function nearestMatrix(b: GraphBuilder, node: Node, coords: string, inLen: Length, scale: string): string {
  const c = (v: number) => b.constant([v]);
  let index: string;
  if (b.opset < 11) {
    const downsampling = b.emit1('Less', [scale, c(1)]);
    index = b.emit1('Where', [downsampling, b.emit1('Ceil', [coords]), b.emit1('Floor', [coords])]);
  } else {
    const nearest = attrString(node, 'nearest_mode', 'round_prefer_floor');
    if (nearest === 'round_prefer_floor') index = b.emit1('Ceil', [b.emit1('Sub', [coords, c(0.5)])]);
    else if (nearest === 'round_prefer_ceil') index = b.emit1('Floor', [b.emit1('Add', [coords, c(0.5)])]);
    else if (nearest === 'floor') index = b.emit1('Floor', [coords]);
    else if (nearest === 'ceil') index = b.emit1('Ceil', [coords]);
    else {
      const why = `nearest_mode '${nearest}' is not supported`;
      throw new AutodiffError(`node '${node.name}' (${node.opType}): ${why}`, node.name);
    }
  }
  return oneHot(b, clampIndex(b, index, inLen), inLen);
}

function linearMatrix(b: GraphBuilder, coords: string, inLen: Length): string {
  const clamped = clampIndex(b, coords, inLen);
  const low = b.emit1('Floor', [clamped]);
  const high = clampIndex(b, b.emit1('Add', [low, b.constant([1])]), inLen);
  const frac = b.emit1('Reshape', [b.emit1('Sub', [clamped, low]), b.int64([-1, 1])]);
  const keep = b.emit1('Sub', [b.constant([1]), frac]);
  const lowPart = b.emit1('Mul', [oneHot(b, low, inLen), keep]);
  return b.emit1('Add', [lowPart, b.emit1('Mul', [oneHot(b, high, inLen), frac])]);
}

/** t with `axis` mapped through matrix [to, from]: the last two axes by MatMul, others by Einsum. */
export function alongAxis(b: GraphBuilder, t: string, matrix: string, axis: number, rank: number): string {
  if (axis === rank - 1) return b.emit1('MatMul', [t, b.emit1('Transpose', [matrix], { perm: [1, 0] })]);
  if (axis === rank - 2) return b.emit1('MatMul', [matrix, t]);
  const letters = 'abcdefghijklmnopqrstuvwxy'.slice(0, rank);
  const out = letters.slice(0, axis) + 'z' + letters.slice(axis + 1);
  return b.emit1('Einsum', [matrix, t], { equation: `z${letters[axis]},${letters}->${out}` });
}
