// Unsqueeze (axes as attribute before opset 13, as input from 13): dY reshaped back to X's shape.
import type { RuleEntry } from '../types';

export const unsqueeze: RuleEntry = {
  rule: (node, [dY], ctx) => node.inputs.map((_, i) =>
    i === 0 && dY ? ctx.emit1('Reshape', [dY, ctx.emit1('Shape', [node.inputs[0]!])]) : null),
};
