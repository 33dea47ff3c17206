// Conv (strides, pads incl. auto_pad, dilations, groups; any number of spatial axes):
// - dX, stride 1, one group and at least CONV_INPUT_GRADIENT_POSITIONS output positions: Conv of dY with
//   the spatially flipped, transposed kernel;
// - dX otherwise = ConvTranspose(dY, W) with the same strides/dilations/group and pads, output_padding
//   fixing the size ((H+2P−K) mod S);
// - dW, ungrouped: one matrix product dYᵀ[M, N·O] × cols[N·O, K·C], where cols holds X's windows
//   (channels last, gathered with a static index table; padding reads a zero row). onnxruntime's Conv
//   with dY as the kernel, the textbook form, builds an im2col buffer as large as the whole input per
//   output channel and was 3–4× slower than this product on the bench CNN;
// - dW, grouped: Conv of X (batch and channels swapped, grouped as [Cg, G·N]) with dYᵀ as the kernel,
//   strides = forward dilations, dilations = forward strides, sliced to K, transposed to [M, Cg, K];
// - dB = dY summed over batch and space.
import { attrInt, attrInts } from '../../onnx/ir';
import type { GradContext, RuleEntry } from '../types';
import { reduceSum } from './helpers';
import { adjointPads, forwardWindowTable, staticDims, windowGeometry, type WindowGeometry } from './windowGeometry';

export const conv: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const grads: (string | null)[] = node.inputs.map(() => null);
    if (!dY) return grads;
    const [x, w, b] = node.inputs as [string, string, string | undefined];
    const rank = ctx.rank(x);
    const spatialAxes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    const spatial = staticDims(ctx, x, node, 2);
    const wDims = staticDims(ctx, w, node, 0);
    const kernel = attrInts(node, 'kernel_shape') ?? wDims.slice(2);
    const group = attrInt(node, 'group', 1);
    const g = windowGeometry(node, spatial, kernel);
    const adj = adjointPads(g);

    grads[0] = inputGradientByConv(ctx, dY, w, g, group) ?? ctx.emit1('ConvTranspose', [dY, w], {
      kernel_shape: kernel, strides: g.strides, dilations: g.dilations, group, pads: adj.pads,
      output_padding: adj.outputPadding,
    });
    grads[1] = group === 1 ? weightGradientByProduct(ctx, x, dY, g, wDims)
      : weightGradientByConv(ctx, x, dY, g, wDims, group);
    if (b) grads[2] = reduceSum(ctx, dY, [0, ...spatialAxes], false);
    return grads;
  },
};

/**
 * Output positions (per example) from which dX is computed by a Conv rather than a ConvTranspose. The Conv
 * is faster per position (onnxruntime's Conv kernels are better tuned: 6–10 % of a step on the 32×32 bench
 * CNN) but needs the masked kernel flipped and transposed in every step, a cost per weight: on ResNet-18 at
 * 32×32 (layer1 8×8 positions down to layer4 1×1) the flips and transposes of its 3×3 kernels took more
 * kernel time than all its convolutions.
 */
const CONV_INPUT_GRADIENT_POSITIONS = 256;

/**
 * Stride 1, one group: dX is the correlation of dY with the kernel flipped in space and transposed to
 * [C, M, K…], padded by (K−1)·d − pad on each side. null when that pad would be negative or the layer has
 * fewer than CONV_INPUT_GRADIENT_POSITIONS output positions.
 */
function inputGradientByConv(ctx: GradContext, dY: string, w: string, g: WindowGeometry, group: number): string | null {
  if (group !== 1 || g.strides.some((s) => s !== 1)) return null;
  if (g.out.reduce((a, o) => a * o, 1) < CONV_INPUT_GRADIENT_POSITIONS) return null;
  const reach = g.kernel.map((k, i) => (k - 1) * g.dilations[i]!);
  const pads = [...g.begin.map((p, i) => reach[i]! - p), ...g.end.map((p, i) => reach[i]! - p)];
  if (pads.some((p) => p < 0)) return null;
  const n = g.spatial.length;
  const spatialAxes = Array.from({ length: n }, (_, i) => i + 2);
  // A 1×1 kernel is its own flip (pointwise convolutions: most of a MobileNet's or EfficientNet's weights).
  const flipped = g.kernel.every((k) => k === 1) ? w : ctx.emit1('Slice', [w, ctx.int64(spatialAxes.map(() => -1)),
    ctx.int64(spatialAxes.map(() => -(2 ** 53))), ctx.int64(spatialAxes), ctx.int64(spatialAxes.map(() => -1))]);
  const kernelT = ctx.emit1('Transpose', [flipped], { perm: [1, 0, ...spatialAxes] });
  return ctx.emit1('Conv', [dY, kernelT], { kernel_shape: g.kernel, dilations: g.dilations, pads });
}

function weightGradientByProduct(ctx: GradContext, x: string, dY: string, g: WindowGeometry, [m, c]: number[]): string {
  const n = g.spatial.length;
  const positions = g.spatial.reduce((a, s) => a * s, 1);
  const kernelSize = g.kernel.reduce((a, k) => a * k, 1);
  const channelsLast = [0, ...Array.from({ length: n }, (_, i) => i + 2), 1];
  // [N, C, S…] → [N, S, C] plus one zero row at index S for the padding.
  const rows = ctx.emit1('Reshape',
    [ctx.emit1('Transpose', [x], { perm: channelsLast }), ctx.int64([0, positions, c!])]);
  const padded = ctx.emit1('Pad', [rows, ctx.int64([0, 0, 0, 0, 1, 0])], { mode: 'constant' });
  const table = forwardWindowTable(g).map((v) => (v < 0 ? positions : v));
  const indices = ctx.int64(table, [table.length / kernelSize, kernelSize]);
  const cols = ctx.emit1('Reshape',
    [ctx.emit1('Gather', [padded, indices], { axis: 1 }), ctx.int64([-1, kernelSize * c!])]);
  // [N, M, S…] → [M, N, S…] → [M, N·S]
  const dYByChannel = ctx.emit1('Transpose', [dY], { perm: [1, 0, ...Array.from({ length: n }, (_, i) => i + 2)] });
  const dYRows = ctx.emit1('Reshape', [dYByChannel, ctx.int64([m!, -1])]);
  const product = ctx.emit1('MatMul', [dYRows, cols]);
  // [M, K…, C] → [M, C, K…]
  return ctx.emit1('Transpose', [ctx.emit1('Reshape', [product, ctx.int64([m!, ...g.kernel, c!])])],
    { perm: [0, n + 1, ...Array.from({ length: n }, (_, i) => i + 1)] });
}

function weightGradientByConv(ctx: GradContext, x: string, dY: string, g: WindowGeometry, wDims: number[],
  group: number): string {
  const spatialAxes = g.spatial.map((_, i) => i + 2);
  const cg = wDims[1]!;
  const swap = [1, 0, ...spatialAxes];
  const xT = ctx.emit1('Reshape', [
    ctx.emit1('Transpose', [ctx.emit1('Reshape', [x, ctx.int64([0, group, cg, ...g.spatial])])],
      { perm: [2, 1, 0, ...spatialAxes.map((a) => a + 1)] }),
    ctx.int64([cg, -1, ...g.spatial]),
  ]);
  const dYT = ctx.emit1('Transpose', [dY], { perm: swap });
  const full = g.spatial.map((h, i) =>
    Math.floor((h + g.begin[i]! + g.end[i]! - ((g.out[i]! - 1) * g.strides[i]! + 1)) / g.dilations[i]!) + 1);
  let dWT = ctx.emit1('Conv', [xT, dYT], {
    kernel_shape: g.out, strides: g.dilations, dilations: g.strides, group, pads: [...g.begin, ...g.end],
  });
  if (full.some((k, i) => k !== g.kernel[i])) {
    dWT = ctx.emit1('Slice', [dWT, ctx.int64(g.kernel.map(() => 0)), ctx.int64(g.kernel), ctx.int64(spatialAxes)]);
  }
  return ctx.emit1('Transpose', [dWT], { perm: swap });
}
