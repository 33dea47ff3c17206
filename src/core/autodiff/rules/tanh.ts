// Tanh: d/dX = dY·(1 − Y²).
import type { RuleEntry } from '../types';

export const tanh: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const y = node.outputs[0]!;
    const slope = ctx.emit1('Sub', [ctx.constant([1]), ctx.emit1('Mul', [y, y])]);
    return [ctx.emit1('Mul', [dY!, slope])];
  },
};
