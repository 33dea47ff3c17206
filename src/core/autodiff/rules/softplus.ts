// Softplus: Y = log(1 + exp(X)); dX = dY·sigmoid(X).
import type { RuleEntry } from '../types';

export const softplus: RuleEntry = {
  rule: (node, [dY], ctx) => [ctx.emit1('Mul', [dY!, ctx.emit1('Sigmoid', [node.inputs[0]!])])],
};
