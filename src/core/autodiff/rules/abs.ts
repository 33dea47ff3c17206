// Abs: dX = dY·sign(X) (0 at X = 0, as PyTorch).
import type { RuleEntry } from '../types';

export const abs: RuleEntry = {
  rule: (node, [dY], ctx) => [ctx.emit1('Mul', [dY!, ctx.emit1('Sign', [node.inputs[0]!])])],
};
