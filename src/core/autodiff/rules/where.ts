// Where(cond, X, Y): dX = dY where cond holds, dY' = dY elsewhere; broadcasts are undone by the driver.
import type { RuleEntry } from '../types';

export const where: RuleEntry = {
  broadcasts: true,
  rule: (node, [dY], ctx) => {
    if (!dY) return [null, null, null];
    const zero = ctx.constant([0]);
    const cond = node.inputs[0]!;
    return [null, ctx.emit1('Where', [cond, dY, zero]), ctx.emit1('Where', [cond, zero, dY])];
  },
};
