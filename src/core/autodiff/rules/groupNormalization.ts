// GroupNormalization: X [N, C, …] viewed as [N, G, C/G·…] and normalised over the last axis, then
// scaled and shifted: per group (scale, bias of shape [G], opset 18) or per channel ([C], opset 21).
// dX = r·(g − mean(g) − x̂·mean(g·x̂)) in the grouped view, g = dY·scale; dScale = Σ dY·x̂, dBias = Σ dY.
import { attrFloat, attrInt } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { reduceMean, reduceSum } from './helpers';
import { normalise } from './layerNormalization';

function groupNormalizationRule(perChannel: boolean): RuleEntry {
  return {
    rule: (node, [dY], ctx) => {
      if (!dY) return [null, null, null];
      const [x, scale] = node.inputs as [string, string, string];
      const rank = ctx.rank(x);
      const groups = attrInt(node, 'num_groups', 1);
      const grouped = (t: string) => ctx.emit1('Reshape', [t, ctx.int64([0, groups, -1])]);
      const { xhat, rstd } = normalise(ctx, grouped(x), [2], attrFloat(node, 'epsilon', 1e-5));
      const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 2);
      let g: string;
      let dScale: string;
      if (perChannel) {
        g = grouped(ctx.emit1('Mul', [dY, ctx.emit1('Reshape', [scale, ctx.int64([-1, ...spatial.map(() => 1)])])]));
        const xhatX = ctx.emit1('Reshape', [xhat, ctx.emit1('Shape', [x])]);
        dScale = reduceSum(ctx, ctx.emit1('Mul', [dY, xhatX]), [0, ...spatial], false);
      } else {
        const dYg = grouped(dY);
        g = ctx.emit1('Mul', [dYg, ctx.emit1('Reshape', [scale, ctx.int64([-1, 1])])]);
        dScale = reduceSum(ctx, ctx.emit1('Mul', [dYg, xhat]), [0, 2], false);
      }
      const centred = ctx.emit1('Sub', [g, reduceMean(ctx, g, [2], true)]);
      const proj = ctx.emit1('Mul', [xhat, reduceMean(ctx, ctx.emit1('Mul', [g, xhat]), [2], true)]);
      const dXg = ctx.emit1('Mul', [ctx.emit1('Sub', [centred, proj]), rstd]);
      const dBias = perChannel
        ? reduceSum(ctx, dY, [0, ...spatial], false)
        : reduceSum(ctx, grouped(dY), [0, 2], false);
      return [ctx.emit1('Reshape', [dXg, ctx.emit1('Shape', [x])]), dScale, dBias];
    },
  };
}

export const groupNormalization = groupNormalizationRule(false);
export const groupNormalization21 = groupNormalizationRule(true);
