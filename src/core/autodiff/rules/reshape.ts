// Reshape: the gradient is dY reshaped back to the data's shape; the shape input gets none.
import type { RuleEntry } from '../types';

export const reshape: RuleEntry = {
  rule: (node, [dY], ctx) => [dY ? ctx.emit1('Reshape', [dY, ctx.emit1('Shape', [node.inputs[0]!])]) : null, null],
};
