// Transpose: the gradient is dY transposed by the inverse permutation (default perm reverses the axes).
import { attrInts } from '../../onnx/ir';
import type { RuleEntry } from '../types';

export const transpose: RuleEntry = {
  rule: (node, [dY], ctx) => {
    if (!dY) return [null];
    const rank = ctx.rank(node.inputs[0]!);
    const perm = attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => { inverse[p < 0 ? p + perm.length : p] = i; });
    return [ctx.emit1('Transpose', [dY], { perm: inverse })];
  },
};
