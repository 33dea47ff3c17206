// LayerNormalization (opset 17) over axes [axis, rank): with x̂ = (X − μ)·r, r = 1/√(σ² + ε) and
// g = dY·scale, dX = r·(g − mean(g) − x̂·mean(g·x̂)); dScale = dY·x̂ and dBias = dY, summed back to the
// parameters' shapes by the driver (`broadcasts`). μ and r are recomputed in the graph's float type.
import { attrFloat, attrInt } from '../../onnx/ir';
import type { GradContext, RuleEntry } from '../types';
import { normAxis, reduceMean } from './helpers';

export const layerNormalization: RuleEntry = {
  broadcasts: true,
  rule: (node, [dY], ctx) => {
    const grads: (string | null)[] = node.inputs.map(() => null);
    if (!dY) return grads;
    const [x, scale, bias] = node.inputs as [string, string, string | undefined];
    const rank = ctx.rank(x);
    const normalisedCount = rank - normAxis(attrInt(node, 'axis', -1), rank);
    const axes = Array.from({ length: normalisedCount }, (_, i) => rank - 1 - i).reverse();
    const { xhat, rstd } = normalise(ctx, x, axes, attrFloat(node, 'epsilon', 1e-5));
    const g = ctx.emit1('Mul', [dY, scale]);
    const centred = ctx.emit1('Sub', [g, reduceMean(ctx, g, axes, true)]);
    const proj = ctx.emit1('Mul', [xhat, reduceMean(ctx, ctx.emit1('Mul', [g, xhat]), axes, true)]);
    grads[0] = ctx.emit1('Mul', [ctx.emit1('Sub', [centred, proj]), rstd]);
    grads[1] = ctx.emit1('Mul', [dY, xhat]);
    if (bias) grads[2] = dY;
    return grads;
  },
};

/** x̂ = (x − mean)·r and r = 1/√(var + ε) over `axes` (kept as size-1 axes). */
export function normalise(ctx: GradContext, x: string, axes: number[],
  epsilon: number): { xhat: string; rstd: string } {
  const d = ctx.emit1('Sub', [x, reduceMean(ctx, x, axes, true)]);
  const variance = reduceMean(ctx, ctx.emit1('Mul', [d, d]), axes, true);
  const rstd = ctx.emit1('Reciprocal', [ctx.emit1('Sqrt', [ctx.emit1('Add', [variance, ctx.constant([epsilon])])])]);
  return { xhat: ctx.emit1('Mul', [d, rstd]), rstd };
}
