// LogSoftmax: d/dX = dY − exp(Y)·Σ dY over the softmax axes (see softmax.ts for the opset-13 change).
import type { RuleEntry } from '../types';
import { reduceSum } from './helpers';
import { softmaxAxes } from './softmax';

function logSoftmaxRule(opset13: boolean): RuleEntry {
  return {
    rule: (node, [dY], ctx) => {
      const s = reduceSum(ctx, dY!, softmaxAxes(node, ctx, opset13), true);
      return [ctx.emit1('Sub', [dY!, ctx.emit1('Mul', [ctx.emit1('Exp', [node.outputs[0]!]), s])])];
    },
  };
}

export const logSoftmax = logSoftmaxRule(false);
export const logSoftmax13 = logSoftmaxRule(true);
