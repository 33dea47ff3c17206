// GatherElements: output[i][j] = data[index[i][j]][j] (for axis 0, likewise for other axes). The gradient
// scatters dY to the same positions with ScatterElements reduction 'add' (repeated indices sum);
// negative indices are made non-negative first.
import { attrInt, DataType } from '../../onnx/ir';
import { AutodiffError } from '../errors';
import type { RuleEntry } from '../types';
import { fillLike, nonNegativeIndices, normAxis } from './helpers';

export const gatherElements: RuleEntry = {
  rule: (node, [dY], ctx) => {
    if (!dY) return [null, null];
    if (ctx.opset < 16) {
      throw new AutodiffError(
        `GatherElements node '${node.name}' needs opset 16 or newer to be differentiated `
          + '(ScatterElements with reduction)',
        node.name,
      );
    }
    const data = node.inputs[0]!;
    const axis = normAxis(attrInt(node, 'axis', 0), ctx.rank(data));
    const indices = ctx.emit1('Cast', [node.inputs[1]!], { to: DataType.INT64 });
    const size = ctx.emit1('Slice', [ctx.emit1('Shape', [data]), ctx.int64([axis]), ctx.int64([axis + 1])]);
    const inRange = nonNegativeIndices(ctx, indices, size);
    return [ctx.emit1('ScatterElements', [fillLike(ctx, 0, data), inRange, dY], { axis, reduction: 'add' }), null];
  },
};
