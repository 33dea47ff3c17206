// ReduceL2: Y = √(Σ X²); dX = dY·X/Y, and 0 where Y = 0 (PyTorch's norm takes the same subgradient).
// `axes` moved from an attribute to input 1 in opset 18.
import type { RuleEntry } from '../types';
import { unreduce } from './reduceSum';

function reduceL2Rule(axesFromInput: boolean): RuleEntry {
  return {
    rule: (node, [dY], ctx) => {
      const x = node.inputs[0]!;
      const y = unreduce(node, node.outputs[0]!, ctx, axesFromInput);
      const zero = ctx.constant([0]);
      const ratio = ctx.emit1('Where', [ctx.emit1('Greater', [y, zero]), ctx.emit1('Div', [x, y]), zero]);
      const dX = ctx.emit1('Mul', [unreduce(node, dY!, ctx, axesFromInput), ratio]);
      return [dX, ...node.inputs.slice(1).map(() => null)];
    },
  };
}

export const reduceL2 = reduceL2Rule(false);
export const reduceL218 = reduceL2Rule(true);
