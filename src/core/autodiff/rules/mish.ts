// Mish: Y = X·tanh(softplus(X)); dX = dY·(t + X·sigmoid(X)·(1 − t²)), t = tanh(softplus(X)).
import type { RuleEntry } from '../types';

export const mish: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const x = node.inputs[0]!;
    const t = ctx.emit1('Tanh', [ctx.emit1('Softplus', [x])]);
    const sech2 = ctx.emit1('Sub', [ctx.constant([1]), ctx.emit1('Mul', [t, t])]);
    // (X·(1 − t²))·sigmoid(X), not (X·sigmoid(X))·…: onnxruntime fuses the latter into QuickGelu,
    // which has no float64 kernel.
    const slope = ctx.emit1('Add', [t, ctx.emit1('Mul', [ctx.emit1('Mul', [x, sech2]), ctx.emit1('Sigmoid', [x])])]);
    return [ctx.emit1('Mul', [dY!, slope])];
  },
};
