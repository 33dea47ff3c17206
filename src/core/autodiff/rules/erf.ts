// Erf: d/dX = dY·(2/√π)·exp(−X²).
import type { RuleEntry } from '../types';

export const erf: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const x = node.inputs[0]!;
    const e = ctx.emit1('Exp', [ctx.emit1('Neg', [ctx.emit1('Mul', [x, x])])]);
    return [ctx.emit1('Mul', [dY!, ctx.emit1('Mul', [e, ctx.constant([2 / Math.sqrt(Math.PI)])])])];
  },
};
