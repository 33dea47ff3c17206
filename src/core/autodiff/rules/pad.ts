// Pad, constant mode (pads as attribute before opset 11, as input from 11; axes input from 18): the
// adjoint is Pad of dY by the negated pads: padded borders are cropped away, cropped borders (negative
// pads) come back as zeros.
import { attrInts, attrString } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { AutodiffError } from '../errors';

export const pad: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const grads: (string | null)[] = node.inputs.map(() => null);
    if (!dY) return grads;
    const mode = attrString(node, 'mode', 'constant');
    if (mode !== 'constant') {
      throw new AutodiffError(
        `node '${node.name}' (Pad): mode '${mode}' has no gradient rule; only mode 'constant' is supported`, node.name);
    }
    if (ctx.opset < 11) {
      grads[0] = ctx.emit1('Pad', [dY], { mode, pads: (attrInts(node, 'pads') ?? []).map((p) => -p) });
    } else {
      const negPads = ctx.emit1('Neg', [node.inputs[1]!]);
      const axes = node.inputs[3] ? [node.inputs[3]] : [];
      grads[0] = ctx.emit1('Pad', [dY, negPads, ...(axes.length ? [ctx.constant([0]), ...axes] : [])], { mode });
    }
    return grads;
  },
};
