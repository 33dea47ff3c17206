// Tile: output axis i holds repeats[i] copies of X's axis i, so dY reshaped to
// [r₀, d₀, r₁, d₁, …] and summed over the r axes is dX (repeats may be computed at run time).
import type { RuleEntry } from '../types';
import { reduceSum, unsqueeze } from './helpers';

export const tile: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const [x, repeats] = node.inputs as [string, string];
    const column = (t: string) => unsqueeze(ctx, t, [1]);
    const pairs = ctx.emit1('Concat', [column(repeats), column(ctx.emit1('Shape', [x]))], { axis: 1 });
    const split = ctx.emit1('Reshape', [dY!, ctx.emit1('Reshape', [pairs, ctx.int64([-1])])]);
    return [reduceSum(ctx, split, Array.from({ length: ctx.rank(x) }, (_, i) => 2 * i), false), null];
  },
};
