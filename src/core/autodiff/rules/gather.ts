// Gather along any axis. The gradient w.r.t. the data scatters dY back to the gathered rows, summing
// rows picked several times (embeddings with repeated tokens):
// - from opset 16, axis 0: ScatterND with reduction 'add' (indices normalised to be non-negative);
// - from opset 16, other axes: ScatterElements with reduction 'add' over dY reshaped to
//   data.shape[:axis] + [#indices] + data.shape[axis+1:];
// - before opset 16 (no scatter reductions): Einsum of a one-hot matrix of the indices with dY.
import { attrInt, DataType } from '../../onnx/ir';
import type { GradContext, RuleEntry } from '../types';
import { fillLike, normAxis, unsqueeze } from './helpers';

export const gather: RuleEntry = {
  rule: (node, [dY], ctx) => {
    if (!dY) return [null, null];
    const data = node.inputs[0]!;
    const rank = ctx.rank(data);
    const axis = normAxis(attrInt(node, 'axis', 0), rank);
    const indices = ctx.emit1('Cast', [node.inputs[1]!], { to: DataType.INT64 });
    const flatIdx = ctx.emit1('Reshape', [indices, ctx.int64([-1])]);
    const shapeD = ctx.emit1('Shape', [data]);
    // dY as data.shape[:axis] + [L] + data.shape[axis+1:], L = number of indices
    const parts = [];
    if (axis > 0) parts.push(ctx.emit1('Slice', [shapeD, ctx.int64([0]), ctx.int64([axis])]));
    parts.push(ctx.int64([-1]));
    if (axis < rank - 1) parts.push(ctx.emit1('Slice', [shapeD, ctx.int64([axis + 1]), ctx.int64([rank])]));
    const dY3 = ctx.emit1('Reshape', [dY, parts.length > 1 ? ctx.emit1('Concat', parts, { axis: 0 }) : parts[0]!]);
    if (ctx.opset < 16) return [oneHotGradient(ctx, dY3, flatIdx, shapeD, rank, axis), null];
    const zeros = fillLike(ctx, 0, data);
    if (axis === 0) {
      const dim0 = ctx.emit1('Slice', [shapeD, ctx.int64([0]), ctx.int64([1])]);
      const nonNeg = ctx.emit1('Where',
        [ctx.emit1('Less', [flatIdx, ctx.int64([0], [])]), ctx.emit1('Add', [flatIdx, dim0]), flatIdx]);
      return [ctx.emit1('ScatterND', [zeros, unsqueeze(ctx, nonNeg, [1]), dY3], { reduction: 'add' }), null];
    }
    const idxShape = Array.from({ length: rank }, (_, i) => (i === axis ? -1 : 1));
    const idx = ctx.emit1('Expand', [ctx.emit1('Reshape', [flatIdx, ctx.int64(idxShape)]), ctx.emit1('Shape', [dY3])]);
    return [ctx.emit1('ScatterElements', [zeros, idx, dY3], { axis, reduction: 'add' }), null];
  },
};

/** dData[.., v, ..] = Σ_l onehot[l, v] · dY3[.., l, ..] via Einsum (one-hot made as int64, cast to float). */
function oneHotGradient(ctx: GradContext, dY3: string, flatIdx: string, shapeD: string, rank: number,
  axis: number): string {
  const depth = ctx.emit1('Slice', [shapeD, ctx.int64([axis]), ctx.int64([axis + 1])]);
  const oneHot = ctx.emit1('Cast', [ctx.emit1('OneHot', [flatIdx, depth, ctx.int64([0, 1])], { axis: -1 })],
    { to: ctx.floatType });
  const letters = 'abcdefghijkmnopqrstuvwxyz'.slice(0, rank).split('');
  const dyTerm = letters.map((c, i) => (i === axis ? 'l' : c)).join('');
  return ctx.emit1('Einsum', [oneHot, dY3], { equation: `l${letters[axis]},${dyTerm}->${letters.join('')}` });
}
