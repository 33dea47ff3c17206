// Sin: dX = dY·cos(X).
import type { RuleEntry } from '../types';

export const sin: RuleEntry = {
  rule: (node, [dY], ctx) => [ctx.emit1('Mul', [dY!, ctx.emit1('Cos', [node.inputs[0]!])])],
};
