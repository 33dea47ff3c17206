// Sqrt: d/dX = dY / (2·Y).
import type { RuleEntry } from '../types';

export const sqrt: RuleEntry = {
  rule: (node, [dY], ctx) => [ctx.emit1('Div', [ctx.emit1('Mul', [dY!, ctx.constant([0.5])]), node.outputs[0]!])],
};
