// Reciprocal: Y = 1/X, dX = −dY · Y².
import type { RuleEntry } from '../types';

export const reciprocal: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const y = node.outputs[0]!;
    return [ctx.emit1('Neg', [ctx.emit1('Mul', [dY!, ctx.emit1('Mul', [y, y])])])];
  },
};
