// PRelu: Y = X for X > 0, slope·X otherwise (slope broadcast to X). dX = dY where X > 0, else dY·slope
// (slope's branch at 0, as PyTorch); dSlope = dY·X where X ≤ 0, summed to slope's shape by the driver.
import type { RuleEntry } from '../types';

export const pRelu: RuleEntry = {
  broadcasts: true,
  rule: (node, [dY], ctx) => {
    const [x, slope] = node.inputs as [string, string];
    const pos = ctx.emit1('Greater', [x, ctx.constant([0])]);
    return [
      ctx.emit1('Where', [pos, dY!, ctx.emit1('Mul', [dY!, slope])]),
      ctx.emit1('Where', [pos, ctx.constant([0]), ctx.emit1('Mul', [dY!, x])]),
    ];
  },
};
