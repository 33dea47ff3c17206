// LeakyRelu: d/dX = dY where X > 0, else alpha·dY (alpha at X = 0).
import { attrFloat } from '../../onnx/ir';
import type { RuleEntry } from '../types';

export const leakyRelu: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const pos = ctx.emit1('Greater', [node.inputs[0]!, ctx.constant([0])]);
    const scaled = ctx.emit1('Mul', [dY!, ctx.constant([Math.fround(attrFloat(node, 'alpha', 0.01))])]);
    return [ctx.emit1('Where', [pos, dY!, scaled])];
  },
};
