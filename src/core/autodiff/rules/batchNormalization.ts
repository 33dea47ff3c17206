// BatchNormalization in inference mode: Y = (X − mean)·r·scale + B with r = 1/√(var + ε), the
// statistics being inputs (per channel, axis 1). dX = dY·scale·r; dScale = Σ dY·x̂; dB = Σ dY;
// dMean = −scale·r·Σ dY; dVar = −½·scale·r²·Σ dY·x̂ (sums over batch and space).
import { attrFloat, attrInt } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { AutodiffError } from '../errors';
import { reduceSum } from './helpers';

export const batchNormalization: RuleEntry = {
  rule: (node, [dY], ctx) => {
    if (!dY) return node.inputs.map(() => null);
    if (attrInt(node, 'training_mode', 0) !== 0) {
      throw new AutodiffError(`node '${node.name}' (BatchNormalization): training_mode=1 has no gradient rule; ` +
        `export the model in eval mode`, node.name);
    }
    const [x, scale, , mean, variance] = node.inputs as [string, string, string, string, string];
    const rank = ctx.rank(x);
    const others = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
    const rstd = ctx.emit1('Reciprocal',
      [ctx.emit1('Sqrt', [ctx.emit1('Add', [variance, ctx.constant([attrFloat(node, 'epsilon', 1e-5)])])])]);
    const perChannel = ctx.int64([-1, ...others.slice(1).map(() => 1)]);
    const col = (v: string) => ctx.emit1('Reshape', [v, perChannel]);
    const scaleR = ctx.emit1('Mul', [scale, rstd]);
    const xhat = ctx.emit1('Mul', [ctx.emit1('Sub', [x, col(mean)]), col(rstd)]);
    const sumDy = reduceSum(ctx, dY, others, false);
    const sumDyXhat = reduceSum(ctx, ctx.emit1('Mul', [dY, xhat]), others, false);
    return [
      ctx.emit1('Mul', [dY, col(scaleR)]),
      sumDyXhat,
      sumDy,
      ctx.emit1('Neg', [ctx.emit1('Mul', [scaleR, sumDy])]),
      ctx.emit1('Mul', [ctx.emit1('Mul', [scaleR, rstd]), ctx.emit1('Mul', [sumDyXhat, ctx.constant([-0.5])])]),
    ];
  },
};
