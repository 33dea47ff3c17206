// GlobalAveragePool: dY broadcast over the spatial axes, divided by their total size.
import type { RuleEntry } from '../types';

export const globalAveragePool: RuleEntry = {
  rule: (node, [dY], ctx) => {
    if (!dY) return [null];
    const x = node.inputs[0]!;
    const shapeX = ctx.emit1('Shape', [x]);
    const spatial = ctx.shape(x)?.slice(2);
    let size: string;
    if (spatial && spatial.every((d) => typeof d === 'number')) {
      size = ctx.constant([(spatial as number[]).reduce((a, b) => a * b, 1)]);
    } else {
      const dims = ctx.emit1('Slice', [shapeX, ctx.int64([2]), ctx.int64([ctx.rank(x)])]);
      size = ctx.emit1('Cast', [ctx.emit1('ReduceProd', [dims], { keepdims: 0 })], { to: ctx.floatType });
    }
    return [ctx.emit1('Div', [ctx.emit1('Expand', [dY, shapeX]), size])];
  },
};
