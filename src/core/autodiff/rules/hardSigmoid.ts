// HardSigmoid: Y = max(0, min(1, alpha·X + beta)); dX = alpha·dY where 0 < alpha·X + beta < 1, else 0
// (0 at both kinks, as PyTorch's hardsigmoid).
import { attrFloat } from '../../onnx/ir';
import type { RuleEntry } from '../types';

export const hardSigmoid: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const c = (v: number) => ctx.constant([v]);
    const alpha = c(Math.fround(attrFloat(node, 'alpha', 0.2)));
    const beta = c(Math.fround(attrFloat(node, 'beta', 0.5)));
    const z = ctx.emit1('Add', [ctx.emit1('Mul', [node.inputs[0]!, alpha]), beta]);
    const inside = ctx.emit1('And', [ctx.emit1('Greater', [z, c(0)]), ctx.emit1('Less', [z, c(1)])]);
    return [ctx.emit1('Where', [inside, ctx.emit1('Mul', [dY!, alpha]), c(0)])];
  },
};
