// GatherND (batch_dims 0): each index tuple of the last indices axis picks a slice of the data. The
// gradient scatters dY back with ScatterND reduction 'add' (a slice picked twice gets both gradients);
// negative indices are made non-negative first, since ScatterND's add reduction needs them in range.
import { attrInt, DataType } from '../../onnx/ir';
import { AutodiffError } from '../errors';
import type { RuleEntry } from '../types';
import { fillLike, nonNegativeIndices } from './helpers';

export const gatherND: RuleEntry = {
  rule: (node, [dY], ctx) => {
    if (!dY) return [null, null];
    const batchDims = attrInt(node, 'batch_dims', 0);
    if (batchDims !== 0) {
      const why = `GatherND node '${node.name}' has batch_dims ${batchDims}; only 0 is differentiated`;
      throw new AutodiffError(why, node.name);
    }
    if (ctx.opset < 16) {
      throw new AutodiffError(
        `GatherND node '${node.name}' needs opset 16 or newer to be differentiated (ScatterND with reduction)`,
        node.name,
      );
    }
    const data = node.inputs[0]!;
    const indices = ctx.emit1('Cast', [node.inputs[1]!], { to: DataType.INT64 });
    // Sizes of the indexed axes, Shape(data)[0 : k] with k the length of an index tuple.
    const k = ctx.emit1('Slice', [ctx.emit1('Shape', [indices]), ctx.int64([-1]), ctx.int64([2 ** 31])]);
    const sizes = ctx.emit1('Slice', [ctx.emit1('Shape', [data]), ctx.int64([0]), k]);
    const inRange = nonNegativeIndices(ctx, indices, sizes);
    return [ctx.emit1('ScatterND', [fillLike(ctx, 0, data), inRange, dY], { reduction: 'add' }), null];
  },
};
