// Concat: dY split back along the axis into pieces of each input's size (sizes from static shapes
// when all are known, otherwise read at run time from Shape).
import { attrInt } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { AutodiffError } from '../errors';
import { normAxis } from './helpers';

export const concat: RuleEntry = {
  rule: (node, [dY], ctx) => {
    if (!dY) return node.inputs.map(() => null);
    const axis = normAxis(attrInt(node, 'axis', 0), ctx.rank(node.outputs[0]!));
    const sizes = node.inputs.map((x) => ctx.shape(x)?.[axis] ?? null);
    let split: string;
    if (sizes.every((d) => typeof d === 'number')) {
      split = ctx.int64(sizes as number[]);
    } else if (ctx.opset >= 13) {
      const dims = node.inputs.map((x) =>
        ctx.emit1('Slice', [ctx.emit1('Shape', [x]), ctx.int64([axis]), ctx.int64([axis + 1])]));
      split = dims.length === 1 ? dims[0]! : ctx.emit1('Concat', dims, { axis: 0 });
    } else {
      throw new AutodiffError(`node '${node.name}' (Concat): input sizes along axis ${axis} are not static, needed ` +
        `before opset 13`, node.name);
    }
    if (node.inputs.length === 1) return [ctx.emit1('Identity', [dY])];
    return ctx.opset >= 13
      ? ctx.emit('Split', [dY, split], { axis }, node.inputs.length)
      : ctx.emit('Split', [dY], { axis, split: sizes as number[] }, node.inputs.length);
  },
};
