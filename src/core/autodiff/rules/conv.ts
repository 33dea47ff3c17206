// Conv (strides, pads incl. auto_pad, dilations, groups; any number of spatial axes):
// - dX = ConvTranspose(dY, W) with the same strides/dilations/group and pads, output_padding fixing
//   the size ((H+2P−K) mod S);
// - dW = Conv of X (batch and channels swapped, grouped as [Cg, G·N]) with dYᵀ as the kernel,
//   strides = forward dilations, dilations = forward strides, sliced to K, transposed to [M, Cg, K];
// - dB = dY summed over batch and space.
import { attrInt, attrInts } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { reduceSum } from './helpers';
import { adjointPads, staticDims, windowGeometry } from './windowGeometry';

export const conv: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const grads: (string | null)[] = node.inputs.map(() => null);
    if (!dY) return grads;
    const [x, w, b] = node.inputs as [string, string, string | undefined];
    const rank = ctx.rank(x);
    const spatialAxes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    const spatial = staticDims(ctx, x, node, 2);
    const wDims = staticDims(ctx, w, node, 1);
    const kernel = attrInts(node, 'kernel_shape') ?? wDims.slice(1);
    const group = attrInt(node, 'group', 1);
    const cg = wDims[0]!;
    const g = windowGeometry(node, spatial, kernel);
    const adj = adjointPads(g);

    grads[0] = ctx.emit1('ConvTranspose', [dY, w], {
      kernel_shape: kernel, strides: g.strides, dilations: g.dilations, group, pads: adj.pads, output_padding: adj.outputPadding,
    });

    const swap = [1, 0, ...spatialAxes];
    const xT = group === 1
      ? ctx.emit1('Transpose', [x], { perm: swap })
      : ctx.emit1('Reshape', [
        ctx.emit1('Transpose', [ctx.emit1('Reshape', [x, ctx.int64([0, group, cg, ...spatial])])], { perm: [2, 1, 0, ...spatialAxes.map((a) => a + 1)] }),
        ctx.int64([cg, -1, ...spatial]),
      ]);
    const dYT = ctx.emit1('Transpose', [dY], { perm: swap });
    const full = g.spatial.map((h, i) => Math.floor((h + g.begin[i]! + g.end[i]! - ((g.out[i]! - 1) * g.strides[i]! + 1)) / g.dilations[i]!) + 1);
    let dWT = ctx.emit1('Conv', [xT, dYT], {
      kernel_shape: g.out, strides: g.dilations, dilations: g.strides, group, pads: [...g.begin, ...g.end],
    });
    if (full.some((k, i) => k !== kernel[i])) {
      dWT = ctx.emit1('Slice', [dWT, ctx.int64(kernel.map(() => 0)), ctx.int64(kernel), ctx.int64(spatialAxes)]);
    }
    grads[1] = ctx.emit1('Transpose', [dWT], { perm: swap });
    if (b) grads[2] = reduceSum(ctx, dY, [0, ...spatialAxes], false);
    return grads;
  },
};
