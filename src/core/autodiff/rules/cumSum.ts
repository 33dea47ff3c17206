// CumSum: the adjoint of a running sum is the running sum in the other direction, with the same
// exclusive flag: dX = CumSum(dY, axis, exclusive, reverse = !reverse).
import { attrInt } from '../../onnx/ir';
import type { RuleEntry } from '../types';

export const cumSum: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const attrs = { exclusive: attrInt(node, 'exclusive', 0), reverse: 1 - attrInt(node, 'reverse', 0) };
    return [ctx.emit1('CumSum', [dY!, node.inputs[1]!], attrs), null];
  },
};
