// InstanceNormalization: statistics over the spatial axes of each (sample, channel), so the gradient
// flows through them as in LayerNormalization; scale and bias are per channel.
import { attrFloat } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { reduceMean, reduceSum } from './helpers';
import { normalise } from './layerNormalization';

export const instanceNormalization: RuleEntry = {
  rule: (node, [dY], ctx) => {
    if (!dY) return [null, null, null];
    const [x, scale] = node.inputs as [string, string, string];
    const rank = ctx.rank(x);
    const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    const { xhat, rstd } = normalise(ctx, x, spatial, attrFloat(node, 'epsilon', 1e-5));
    const perChannel = ctx.int64([-1, ...spatial.map(() => 1)]);
    const g = ctx.emit1('Mul', [dY, ctx.emit1('Reshape', [scale, perChannel])]);
    const centred = ctx.emit1('Sub', [g, reduceMean(ctx, g, spatial, true)]);
    const proj = ctx.emit1('Mul', [xhat, reduceMean(ctx, ctx.emit1('Mul', [g, xhat]), spatial, true)]);
    return [
      ctx.emit1('Mul', [ctx.emit1('Sub', [centred, proj]), rstd]),
      reduceSum(ctx, ctx.emit1('Mul', [dY, xhat]), [0, ...spatial], false),
      reduceSum(ctx, dY, [0, ...spatial], false),
    ];
  },
};
