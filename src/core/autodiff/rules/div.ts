// Div: Y = A/B; d/dA = dY/B, d/dB = −dY·Y/B.
import type { RuleEntry } from '../types';

export const div: RuleEntry = {
  broadcasts: true,
  rule: (node, [dY], ctx) => {
    const b = node.inputs[1]!;
    const y = node.outputs[0]!;
    const dA = ctx.emit1('Div', [dY!, b]);
    return [dA, ctx.emit1('Neg', [ctx.emit1('Mul', [dA, y])])];
  },
};
