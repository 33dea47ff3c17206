// Split (sizes as attribute before opset 13, as input from 13, or num_outputs from 18): the output
// gradients concatenated along the axis, zeros standing in for outputs that receive none.
import { attrInt } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { fillLike } from './helpers';

export const split: RuleEntry = {
  rule: (node, dOutputs, ctx) => {
    if (dOutputs.every((d) => !d)) return node.inputs.map(() => null);
    const pieces = node.outputs.map((y, i) => dOutputs[i] ?? fillLike(ctx, 0, y));
    const dX = ctx.emit1('Concat', pieces, { axis: attrInt(node, 'axis', 0) });
    return node.inputs.map((_, i) => (i === 0 ? dX : null));
  },
};
