// Pieces shared by gradient rules and the driver: opset-aware reductions and axis ops, broadcast undoing.
import type { Dim } from '../../onnx/ir';
import type { GradContext } from '../types';
import { AutodiffError } from '../errors';

/** Normalises a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** ReduceSum over `axes` (attribute before opset 13, input from 13). Empty axes: returns x unchanged. */
export function reduceSum(ctx: GradContext, x: string, axes: number[], keepdims: boolean): string {
  return reduce(ctx, 'ReduceSum', 13, x, axes, keepdims);
}

/** ReduceMean over `axes` (attribute before opset 18, input from 18). Empty axes: returns x unchanged. */
export function reduceMean(ctx: GradContext, x: string, axes: number[], keepdims: boolean): string {
  return reduce(ctx, 'ReduceMean', 18, x, axes, keepdims);
}

/** A Reduce* op whose `axes` moved from an attribute to an input at opset `axesInputSince`. */
function reduce(ctx: GradContext, op: string, axesInputSince: number, x: string, axes: number[],
  keepdims: boolean): string {
  if (axes.length === 0) return x;
  const kd = keepdims ? 1 : 0;
  return ctx.opset >= axesInputSince
    ? ctx.emit1(op, [x, ctx.int64(axes)], { keepdims: kd })
    : ctx.emit1(op, [x], { axes, keepdims: kd });
}

/** Unsqueeze at static `axes` (attribute before opset 13, input from 13). */
export function unsqueeze(ctx: GradContext, x: string, axes: number[]): string {
  if (axes.length === 0) return x;
  return ctx.opset >= 13 ? ctx.emit1('Unsqueeze', [x, ctx.int64(axes)]) : ctx.emit1('Unsqueeze', [x], { axes });
}

/** Squeeze at static `axes` (attribute before opset 13, input from 13). */
export function squeeze(ctx: GradContext, x: string, axes: number[]): string {
  if (axes.length === 0) return x;
  return ctx.opset >= 13 ? ctx.emit1('Squeeze', [x, ctx.int64(axes)]) : ctx.emit1('Squeeze', [x], { axes });
}

/** Swaps the last two axes of a tensor of rank ≥ 2. */
export function transposeLast2(ctx: GradContext, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return ctx.emit1('Transpose', [x], { perm });
}

/** A tensor of x's shape filled with the float value v (v broadcast by Expand to Shape(like)). */
export function fillLike(ctx: GradContext, v: number, like: string): string {
  return ctx.emit1('Expand', [ctx.constant([v]), ctx.emit1('Shape', [like])]);
}

/** Cast of a tensor to the graph's float type. */
export function toFloat(ctx: GradContext, x: string): string {
  return ctx.emit1('Cast', [x], { to: ctx.floatType });
}

function sameDim(a: Dim, b: Dim): boolean {
  return a !== null && a === b;
}

/**
 * Sums a gradient `g` whose static shape is `gShape` back to the shape `targetShape` of the tensor
 * `target` it was broadcast from (numpy rules, aligned on the right), then reshapes to Shape(target).
 * Axes where it cannot be decided statically (unknown dims) are resolved at run time: the sum along
 * the axis is taken when the target's dimension there is 1, sliced back to the target's size.
 * `alwaysReshape` reshapes even when nothing is summed (targetShape differs from the target's own rank).
 */
export function sumToShape(ctx: GradContext, g: string, gShape: Dim[], targetShape: Dim[], target: string,
  alwaysReshape = false): string {
  const lead = gShape.length - targetShape.length;
  if (lead < 0) throw new AutodiffError(`gradient of '${target}' has rank ${gShape.length}, below the tensor's rank ` +
    `${targetShape.length}`, undefined, target);
  const staticAxes: number[] = [];
  const dynamicAxes: number[] = [];
  for (let i = 0; i < lead; i++) staticAxes.push(i);
  for (let i = 0; i < targetShape.length; i++) {
    const t = targetShape[i]!;
    const d = gShape[i + lead]!;
    if (sameDim(t, d) || d === 1) continue; // nothing was broadcast along this axis
    if (t === 1) staticAxes.push(i + lead);
    else if (typeof t === 'number') continue; // a fixed size other than 1 cannot have been broadcast
    else dynamicAxes.push(i + lead);
  }
  if (staticAxes.length === 0 && dynamicAxes.length === 0 && !alwaysReshape) return g;
  let out = g;
  if (dynamicAxes.length > 0) {
    const shapeT = ctx.emit1('Shape', [target]);
    for (const a of dynamicAxes) {
      const ta = a - lead;
      const dim = ctx.emit1('Slice', [shapeT, ctx.int64([ta]), ctx.int64([ta + 1])]);
      const isOne = ctx.emit1('Equal', [dim, ctx.int64([1])]);
      const summed = reduceSum(ctx, out, [a], true);
      const chosen = ctx.emit1('Where', [isOne, summed, out]);
      out = ctx.emit1('Slice', [chosen, ctx.int64([0]), dim, ctx.int64([a])]);
    }
  }
  out = reduceSum(ctx, out, staticAxes, true);
  return ctx.emit1('Reshape', [out, ctx.emit1('Shape', [target])]);
}

/** int64 indices with negative entries moved into range by adding the indexed axis sizes (broadcast). */
export function nonNegativeIndices(ctx: GradContext, indices: string, sizes: string): string {
  const negative = ctx.emit1('Less', [indices, ctx.int64([0], [])]);
  return ctx.emit1('Where', [negative, ctx.emit1('Add', [indices, sizes]), indices]);
}
