// DepthToSpace only moves elements, so its adjoint is its inverse. DCR mode: SpaceToDepth. CRD mode
// (channels split as [C', b, b]): dY [N, C', H·b, W·b] is viewed as [N, C', H, b, W, b] and the
// forward transpose [0, 1, 4, 2, 5, 3] is undone by [0, 1, 3, 5, 2, 4], then reshaped to X's shape.
import { attrInt, attrString } from '../../onnx/ir';
import type { RuleEntry } from '../types';

export const depthToSpace: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const x = node.inputs[0]!;
    const blocksize = attrInt(node, 'blocksize', 1);
    if (attrString(node, 'mode', 'DCR') === 'DCR') return [ctx.emit1('SpaceToDepth', [dY!], { blocksize })];
    const dims = (t: string, from: number, to: number) =>
      ctx.emit1('Slice', [ctx.emit1('Shape', [t]), ctx.int64([from]), ctx.int64([to])]);
    const b = ctx.int64([blocksize]);
    const blocks = ctx.emit1('Concat', [dims(dY!, 0, 2), dims(x, 2, 3), b, dims(x, 3, 4), b], { axis: 0 });
    const moved = ctx.emit1('Transpose', [ctx.emit1('Reshape', [dY!, blocks])], { perm: [0, 1, 3, 5, 2, 4] });
    return [ctx.emit1('Reshape', [moved, ctx.emit1('Shape', [x])])];
  },
};
