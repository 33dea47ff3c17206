// Resize and Upsample (nearest, linear; see resizeMatrix.ts): Y = M_k·…·M_1·X along the resized axes,
// so dX = dY with every axis mapped back through Mᵀ. roi, scales and sizes get no gradient.
import type { RuleEntry } from '../types';
import { alongAxis, resizeMatrices } from './resizeMatrix';

export const resize: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const rank = ctx.rank(node.inputs[0]!);
    let g = dY!;
    for (const { axis, matrix } of resizeMatrices(node, ctx)) {
      g = alongAxis(ctx, g, ctx.emit1('Transpose', [matrix], { perm: [1, 0] }), axis, rank);
    }
    return [g, ...node.inputs.slice(1).map(() => null)];
  },
};
