// HardSwish: Y = X·max(0, min(1, X/6 + 1/2)); dX = 0 for X < −3, (2X + 3)/6 for −3 ≤ X ≤ 3, 1 above
// (PyTorch's hardswish_backward, including its choice at the kinks).
import type { RuleEntry } from '../types';

export const hardSwish: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const x = node.inputs[0]!;
    const c = (v: number) => ctx.constant([v]);
    const ramp = ctx.emit1('Add', [ctx.emit1('Div', [x, c(3)]), c(0.5)]);
    const upper = ctx.emit1('Where', [ctx.emit1('Greater', [x, c(3)]), c(1), ramp]);
    const slope = ctx.emit1('Where', [ctx.emit1('Less', [x, c(-3)]), c(0), upper]);
    return [ctx.emit1('Mul', [dY!, slope])];
  },
};
