// Softmax: d/dX = Y·(dY − Σ(dY·Y)), the sum over the softmax axes with kept dims.
// Before opset 13 the input is coerced to 2-D at `axis` (default 1): the sum runs over axes axis…rank−1;
// from 13 over `axis` alone (default −1).
import { attrInt } from '../../onnx/ir';
import type { GradContext, RuleEntry } from '../types';
import type { Node } from '../../onnx/ir';
import { normAxis, reduceSum } from './helpers';

/** The axes a (Log)Softmax node normalises over at the context's opset. */
export function softmaxAxes(node: Node, ctx: GradContext, opset13: boolean): number[] {
  const rank = ctx.rank(node.inputs[0]!);
  const axis = normAxis(attrInt(node, 'axis', opset13 ? -1 : 1), rank);
  return opset13 ? [axis] : Array.from({ length: rank - axis }, (_, i) => axis + i);
}

function softmaxRule(opset13: boolean): RuleEntry {
  return {
    rule: (node, [dY], ctx) => {
      const y = node.outputs[0]!;
      const s = reduceSum(ctx, ctx.emit1('Mul', [dY!, y]), softmaxAxes(node, ctx, opset13), true);
      return [ctx.emit1('Mul', [y, ctx.emit1('Sub', [dY!, s])])];
    },
  };
}

export const softmax = softmaxRule(false);
export const softmax13 = softmaxRule(true);
