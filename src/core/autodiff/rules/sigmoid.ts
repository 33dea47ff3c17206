// Sigmoid: d/dX = dY·Y·(1 − Y).
import type { RuleEntry } from '../types';

export const sigmoid: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const y = node.outputs[0]!;
    const slope = ctx.emit1('Mul', [y, ctx.emit1('Sub', [ctx.constant([1]), y])]);
    return [ctx.emit1('Mul', [dY!, slope])];
  },
};
