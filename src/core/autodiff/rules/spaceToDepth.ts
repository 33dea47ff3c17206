// SpaceToDepth is the inverse of DepthToSpace in DCR mode, and a permutation: dX = DepthToSpace(dY).
import { attrInt } from '../../onnx/ir';
import type { RuleEntry } from '../types';

export const spaceToDepth: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const blocksize = attrInt(node, 'blocksize', 1);
    return [ctx.emit1('DepthToSpace', [dY!], { blocksize, mode: 'DCR' })];
  },
};
