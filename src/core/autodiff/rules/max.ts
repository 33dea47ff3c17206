// Max (variadic, numpy broadcasting): the gradient goes to the inputs equal to Y; where k inputs tie,
// each gets dY/k (PyTorch's maximum splits ties the same way). Summed to each input's shape by the driver.
import type { RuleEntry } from '../types';

export const extremumRule: RuleEntry = {
  broadcasts: true,
  rule: (node, [dY], ctx) => {
    const y = node.outputs[0]!;
    const hits = node.inputs.map((x) => ctx.emit1('Cast', [ctx.emit1('Equal', [x, y])], { to: ctx.floatType }));
    if (hits.length === 1) return [dY!];
    const share = ctx.emit1('Div', [dY!, ctx.emit1('Sum', hits)]);
    return hits.map((h) => ctx.emit1('Mul', [share, h]));
  },
};

export const max = extremumRule;
