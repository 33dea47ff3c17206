// ReduceMean: like ReduceSum (see reduceSum.ts), divided by the number of elements averaged,
// Size(X)/Size(Y) (static when both shapes are known). `axes` moved to an input in opset 18.
import { elementCount } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { toFloat } from './helpers';
import { unreduce } from './reduceSum';

function reduceMeanRule(axesFromInput: boolean): RuleEntry {
  return {
    rule: (node, [dY], ctx) => {
      const [x, y] = [node.inputs[0]!, node.outputs[0]!];
      const g = unreduce(node, dY!, ctx, axesFromInput);
      const [xs, ys] = [ctx.shape(x), ctx.shape(y)];
      const fixed = (s: typeof xs): s is number[] => s !== null && s.every((d) => typeof d === 'number');
      const count = fixed(xs) && fixed(ys)
        ? ctx.constant([elementCount(xs) / elementCount(ys)])
        : toFloat(ctx, ctx.emit1('Div', [ctx.emit1('Size', [x]), ctx.emit1('Size', [y])]));
      return [ctx.emit1('Div', [g, count]), ...node.inputs.slice(1).map(() => null)];
    },
  };
}

export const reduceMean = reduceMeanRule(false);
export const reduceMean18 = reduceMeanRule(true);
