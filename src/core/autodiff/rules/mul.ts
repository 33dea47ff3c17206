// Mul: d/dA = dY·B, d/dB = dY·A.
import type { RuleEntry } from '../types';

export const mul: RuleEntry = {
  broadcasts: true,
  rule: (node, [dY], ctx) => {
    const [a, b] = node.inputs as [string, string];
    return [ctx.emit1('Mul', [dY!, b]), ctx.emit1('Mul', [dY!, a])];
  },
};
