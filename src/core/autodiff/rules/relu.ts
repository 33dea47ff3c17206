// Relu: d/dX = dY where X > 0, else 0 (subgradient 0 at X = 0).
import type { RuleEntry } from '../types';

export const relu: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const pos = ctx.emit1('Greater', [node.inputs[0]!, ctx.constant([0])]);
    return [ctx.emit1('Where', [pos, dY!, ctx.constant([0])])];
  },
};
