// Slice (starts/ends/axes/steps as attributes before opset 10, as inputs from 10): the same Slice
// applied to the flat positions 0..n-1 of X says where each element of dY came from (negative
// indices, clamping and steps handled by the Slice kernel itself); dY is scattered there into zeros.
import type { AttrInput } from '../../onnx/makeModel';
import type { RuleEntry } from '../types';
import { AutodiffError } from '../errors';
import { fillLike } from './helpers';

export const slice: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const grads: (string | null)[] = node.inputs.map(() => null);
    if (!dY) return grads;
    if (ctx.opset < 11) {
      throw new AutodiffError(`node '${node.name}' (Slice): the gradient needs Range and ScatterElements (opset 11); ` +
        `the model has opset ${ctx.opset}`, node.name);
    }
    const x = node.inputs[0]!;
    const shapeX = ctx.emit1('Shape', [x]);
    const positions = ctx.emit1('Reshape',
      [ctx.emit1('Range', [ctx.int64([0], []), ctx.emit1('Size', [x]), ctx.int64([1], [])]), shapeX]);
    const picked = ctx.emit1('Slice', [positions, ...node.inputs.slice(1)],
      Object.fromEntries(node.attributes) as Record<string, AttrInput>);
    const flat = ctx.int64([-1]);
    const zeros = ctx.emit1('Reshape', [fillLike(ctx, 0, x), flat]);
    const scattered = ctx.emit1('ScatterElements',
      [zeros, ctx.emit1('Reshape', [picked, flat]), ctx.emit1('Reshape', [dY, flat])], { axis: 0 });
    grads[0] = ctx.emit1('Reshape', [scattered, shapeX]);
    return grads;
  },
};
