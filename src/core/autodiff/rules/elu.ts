// Elu: Y = X for X > 0, alpha·(exp(X) − 1) otherwise; dX = dY for X > 0, else dY·alpha·exp(X)
// (the negative branch at X = 0, as PyTorch's elu_backward).
import { attrFloat } from '../../onnx/ir';
import type { GradContext, RuleEntry } from '../types';

/** dY·scale where X > 0, else dY·scale·alpha·exp(X) (Elu with scale 1, Selu with its gamma). */
export function expLinearGradient(ctx: GradContext, x: string, dY: string, alpha: number, scale: number): string {
  const neg = ctx.emit1('Mul', [ctx.emit1('Exp', [x]), ctx.constant([alpha * scale])]);
  const slope = ctx.emit1('Where', [ctx.emit1('Greater', [x, ctx.constant([0])]), ctx.constant([scale]), neg]);
  return ctx.emit1('Mul', [dY, slope]);
}

export const elu: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const alpha = Math.fround(attrFloat(node, 'alpha', 1));
    return [expLinearGradient(ctx, node.inputs[0]!, dY!, alpha, 1)];
  },
};
