// Cos: dX = −dY·sin(X).
import type { RuleEntry } from '../types';

export const cos: RuleEntry = {
  rule: (node, [dY], ctx) => [ctx.emit1('Neg', [ctx.emit1('Mul', [dY!, ctx.emit1('Sin', [node.inputs[0]!])])])],
};
