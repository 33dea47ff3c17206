// Max (variadic, numpy broadcasting): the gradient goes to the inputs equal to Y; where k inputs tie,
// each gets dY/k (PyTorch's maximum splits ties the same way). Summed to each input's shape by the driver.
import type { GradContext, RuleEntry } from '../types';

/**
 * x = y for y the maximum (minimum) over x and others, as not(x < y) (not(x > y)): Equal has no float
 * kernels before opset 11, Less and Greater have.
 */
export function reachesExtremum(ctx: GradContext, opType: string, x: string, y: string): string {
  return ctx.emit1('Not', [ctx.emit1(opType.endsWith('Max') ? 'Less' : 'Greater', [x, y])]);
}

export const extremumRule: RuleEntry = {
  broadcasts: true,
  rule: (node, [dY], ctx) => {
    const y = node.outputs[0]!;
    const hit = (x: string) => ctx.emit1('Cast', [reachesExtremum(ctx, node.opType, x, y)], { to: ctx.floatType });
    const hits = node.inputs.map(hit);
    if (hits.length === 1) return [dY!];
    const share = ctx.emit1('Div', [dY!, ctx.emit1('Sum', hits)]);
    return hits.map((h) => ctx.emit1('Mul', [share, h]));
  },
};

export const max = extremumRule;
