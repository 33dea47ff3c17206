// Selu: Y = gamma·X for X > 0, gamma·alpha·(exp(X) − 1) otherwise; the gradient is Elu's scaled by gamma.
import { attrFloat } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { expLinearGradient } from './elu';

export const selu: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const alpha = Math.fround(attrFloat(node, 'alpha', 1.67326319217681884765625));
    const gamma = Math.fround(attrFloat(node, 'gamma', 1.05070102214813232421875));
    return [expLinearGradient(ctx, node.inputs[0]!, dY!, alpha, gamma)];
  },
};
