// AveragePool (pads, auto_pad, strides, dilations, ceil_mode, count_include_pad either way): dY is
// divided by each window's element count (a constant computed from the static geometry, counting
// the padding or not) and spread back over the window by ConvTranspose with a ones kernel, run
// per channel on [N·C, 1, …].
import { attrInt, attrInts } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { adjointPads, staticDims, windowGeometry, type WindowGeometry } from './windowGeometry';

export const averagePool: RuleEntry = {
  rule: (node, [dY], ctx) => {
    if (!dY) return [null];
    const x = node.inputs[0]!;
    const spatial = staticDims(ctx, x, node, 2);
    const kernel = attrInts(node, 'kernel_shape')!;
    const g = windowGeometry(node, spatial, kernel);
    const adj = adjointPads(g);
    const counts = windowCounts(g, attrInt(node, 'count_include_pad', 0) === 1);
    const scaled = ctx.emit1('Div', [dY, ctx.constant(counts, g.out)]);
    const perChannel = ctx.emit1('Reshape', [scaled, ctx.int64([-1, 1, ...g.out])]);
    const ones = ctx.constant(new Array<number>(kernel.reduce((a, k) => a * k, 1)).fill(1), [1, 1, ...kernel]);
    const spread = ctx.emit1('ConvTranspose', [perChannel, ones], {
      kernel_shape: kernel, strides: g.strides, dilations: g.dilations, pads: adj.pads,
      output_padding: adj.outputPadding,
    });
    return [ctx.emit1('Reshape', [spread, ctx.emit1('Shape', [x])])];
  },
};

/**
 * Number of elements averaged by each output position (row-major over `out`): window positions inside
 * the padded extent [−pb, H+pe) when padding counts, inside [0, H) when it does not.
 */
export function windowCounts(g: WindowGeometry, includePad: boolean): number[] {
  const perAxis = g.out.map((o, i) => Array.from({ length: o }, (_, j) => {
    let c = 0;
    for (let k = 0; k < g.kernel[i]!; k++) {
      const p = j * g.strides[i]! - g.begin[i]! + k * g.dilations[i]!;
      const lo = includePad ? -g.begin[i]! : 0;
      const hi = includePad ? g.spatial[i]! + g.end[i]! : g.spatial[i]!;
      if (p >= lo && p < hi) c++;
    }
    return c;
  }));
  let counts = [1];
  for (const axis of perAxis) counts = counts.flatMap((c) => axis.map((a) => c * a));
  return counts;
}
