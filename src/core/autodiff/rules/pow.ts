// Pow: Y = X^P; d/dX = dY·P·X^(P−1); d/dP = dY·Y·ln X (only meaningful for X > 0; pruned when P is constant).
import type { RuleEntry } from '../types';
import { toFloat } from './helpers';

export const pow: RuleEntry = {
  broadcasts: true,
  rule: (node, [dY], ctx) => {
    const [x, p] = node.inputs as [string, string];
    const pf = toFloat(ctx, p);
    const xPm1 = ctx.emit1('Pow', [x, ctx.emit1('Sub', [pf, ctx.constant([1])])]);
    const dX = ctx.emit1('Mul', [dY!, ctx.emit1('Mul', [pf, xPm1])]);
    const dP = ctx.emit1('Mul', [dY!, ctx.emit1('Mul', [node.outputs[0]!, ctx.emit1('Log', [x])])]);
    return [dX, dP];
  },
};
