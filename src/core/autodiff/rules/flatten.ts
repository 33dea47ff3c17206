// Flatten: the gradient is dY reshaped back to X's shape.
import type { RuleEntry } from '../types';

export const flatten: RuleEntry = {
  rule: (node, [dY], ctx) => [dY ? ctx.emit1('Reshape', [dY, ctx.emit1('Shape', [node.inputs[0]!])]) : null],
};
