// ConvTranspose as a forward op (X [N, Cin, S…], W [Cin, Cout/G, K…], B [Cout]; explicit pads only):
// - dX = Conv(dY, W) with the same strides, pads, dilations and groups (W read as a Conv kernel
//   [Cin, Cout/G, K…]); output_padding < stride makes that Conv's output exactly X's size;
// - dW[ci, co, k] = Σ X[n, ci, h]·dY[n, co, h·s + k·d − p_begin]: a Conv whose input is dY with batch
//   and channels swapped, grouped as [Cout/G, G·N], whose kernel is X as [Cin, N, S…], with strides =
//   forward dilations and dilations = forward strides; end pads p_end − output_padding give K outputs;
// - dB = dY summed over batch and space.
import { attrInt, attrInts, attrString } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { AutodiffError } from '../errors';
import { reduceSum } from './helpers';

export const convTranspose: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const grads: (string | null)[] = node.inputs.map(() => null);
    if (!dY) return grads;
    const [x, w, b] = node.inputs as [string, string, string | undefined];
    if (attrInts(node, 'output_shape') || attrString(node, 'auto_pad', 'NOTSET') !== 'NOTSET') {
      const why = 'only explicit pads have a gradient rule (no output_shape, auto_pad NOTSET)';
      throw new AutodiffError(`node '${node.name}' (ConvTranspose): ${why}`, node.name);
    }
    const rank = ctx.rank(x);
    const n = rank - 2;
    const spatialAxes = Array.from({ length: n }, (_, i) => i + 2);
    const ones = spatialAxes.map(() => 1);
    const strides = attrInts(node, 'strides') ?? ones;
    const dilations = attrInts(node, 'dilations') ?? ones;
    const pads = attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0);
    const outputPadding = attrInts(node, 'output_padding') ?? spatialAxes.map(() => 0);
    const group = attrInt(node, 'group', 1);
    if (outputPadding.some((p, i) => p >= strides[i]!)) {
      const why = 'output_padding must be below the stride for its gradient rule';
      throw new AutodiffError(`node '${node.name}' (ConvTranspose): ${why}`, node.name);
    }
    grads[0] = ctx.emit1('Conv', [dY, w], { strides, pads, dilations, group });

    // Output channels per group: W's dim 1, read at run time so W's sizes need not be static.
    const dims = (t: string, from: number, to: number) =>
      ctx.emit1('Slice', [ctx.emit1('Shape', [t]), ctx.int64([from]), ctx.int64([to])]);
    const perGroup = dims(w, 1, 2);
    const split = ctx.emit1('Concat', [ctx.int64([0, group]), perGroup, ctx.int64([-1])], { axis: 0 });
    const grouped = ctx.emit1('Transpose', [ctx.emit1('Reshape', [dY, split])], { perm: [2, 1, 0, 3] });
    const sizes = ctx.emit1('Concat', [perGroup, ctx.int64([-1]), dims(dY, 2, rank)], { axis: 0 });
    let input = ctx.emit1('Reshape', [grouped, sizes]);
    const endPads = spatialAxes.map((_, i) => pads[n + i]! - outputPadding[i]!);
    const convPads = [...pads.slice(0, n), ...endPads];
    if (endPads.some((p) => p < 0)) {
      const zeros = [0, 0];
      const padAll = [...zeros, ...pads.slice(0, n), ...zeros, ...endPads];
      input = ctx.opset >= 11
        ? ctx.emit1('Pad', [input, ctx.int64(padAll)])
        : ctx.emit1('Pad', [input], { pads: padAll });
      convPads.fill(0);
    }
    const kernelX = ctx.emit1('Transpose', [x], { perm: [1, 0, ...spatialAxes] });
    const dW = ctx.emit1('Conv', [input, kernelX], { strides: dilations, dilations: strides, pads: convPads, group });
    grads[1] = ctx.emit1('Transpose', [dW], { perm: [1, 0, ...spatialAxes] });
    if (b) grads[2] = reduceSum(ctx, dY, [0, ...spatialAxes], false);
    return grads;
  },
};
