// Cast: between float types the gradient is dY cast to the graph's float type; a cast to a
// non-float type (integers, bool) passes no gradient.
import { attrInt, DataType } from '../../onnx/ir';
import type { RuleEntry } from '../types';

const FLOAT_TYPES: ReadonlySet<number> = new Set(
  [DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

export const cast: RuleEntry = {
  rule: (node, [dY], ctx) => {
    if (!dY || !FLOAT_TYPES.has(attrInt(node, 'to', 0))) return [null];
    return [ctx.emit1('Cast', [dY], { to: ctx.floatType })];
  },
};
