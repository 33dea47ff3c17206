// MaxPool: MaxPool is run again with its Indices output (row-major flat positions in X, storage_order 0)
// and dY is scattered there into zeros, adding where one element is the maximum of several windows.
// Before opset 16 (no scatter reduction) only non-overlapping windows (stride ≥ window) are exact.
import type { AttrInput } from '../../onnx/makeModel';
import { attrInt, attrInts, DataType } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { AutodiffError } from '../errors';
import { fillLike } from './helpers';

export const maxPool: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const grads: (string | null)[] = node.inputs.map(() => null);
    if (!dY) return grads;
    const x = node.inputs[0]!;
    let indices = node.outputs[1];
    if (!indices || attrInt(node, 'storage_order', 0) !== 0) {
      const attrs = Object.fromEntries(node.attributes) as Record<string, AttrInput>;
      attrs.storage_order = 0;
      indices = ctx.emit('MaxPool', [x], attrs, 2)[1]!;
    }
    const kernel = attrInts(node, 'kernel_shape') ?? [];
    const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
    const dilations = attrInts(node, 'dilations') ?? kernel.map(() => 1);
    const overlapping = kernel.some((k, i) => (k - 1) * dilations[i]! + 1 > strides[i]!);
    if (ctx.opset < 16 && overlapping) {
      throw new AutodiffError(`node '${node.name}' (MaxPool): overlapping windows need ScatterElements with reduction 'add' (opset 16); the model has opset ${ctx.opset}`, node.name);
    }
    const flat = ctx.int64([-1]);
    const zeros = ctx.emit1('Reshape', [fillLike(ctx, 0, x), flat]);
    const idx = ctx.emit1('Reshape', [ctx.emit1('Cast', [indices], { to: DataType.INT64 }), flat]);
    const scattered = ctx.emit1('ScatterElements', [zeros, idx, ctx.emit1('Reshape', [dY, flat])],
      ctx.opset >= 16 ? { axis: 0, reduction: 'add' } : { axis: 0 });
    grads[0] = ctx.emit1('Reshape', [scattered, ctx.emit1('Shape', [x])]);
    return grads;
  },
};
