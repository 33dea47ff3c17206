// ReduceMax: the gradient goes to the elements equal to the maximum of their slice, split evenly among
// ties (PyTorch's amax does the same). `axes` moved from an attribute to input 1 in opset 18.
import { attrInt } from '../../onnx/ir';
import type { Node } from '../../onnx/ir';
import type { GradContext, RuleEntry } from '../types';
import { reachesExtremum } from './max';
import { unreduce } from './reduceSum';

/** Sum over the node's reduced axes with kept dims (all axes when none are given, unless noop_with_empty_axes). */
function sumOverReduced(node: Node, t: string, ctx: GradContext, axesFromInput: boolean): string {
  const noop = attrInt(node, 'noop_with_empty_axes', 0);
  if (axesFromInput) {
    const inputs = node.inputs[1] ? [t, node.inputs[1]] : [t];
    return ctx.emit1('ReduceSum', inputs, { keepdims: 1, noop_with_empty_axes: noop });
  }
  const axes = node.attributes.get('axes');
  const list = axes?.type === 'ints' ? axes.value : [];
  if (ctx.opset < 13) return ctx.emit1('ReduceSum', [t], list.length ? { axes: list, keepdims: 1 } : { keepdims: 1 });
  return ctx.emit1('ReduceSum', list.length ? [t, ctx.int64(list)] : [t], { keepdims: 1 });
}

export function extremumReduction(axesFromInput: boolean): RuleEntry {
  return {
    rule: (node, [dY], ctx) => {
      const x = node.inputs[0]!;
      const extremum = unreduce(node, node.outputs[0]!, ctx, axesFromInput);
      const hits = ctx.emit1('Cast', [reachesExtremum(ctx, node.opType, x, extremum)], { to: ctx.floatType });
      const count = sumOverReduced(node, hits, ctx, axesFromInput);
      const share = ctx.emit1('Div', [unreduce(node, dY!, ctx, axesFromInput), count]);
      return [ctx.emit1('Mul', [share, hits]), ...node.inputs.slice(1).map(() => null)];
    },
  };
}

export const reduceMax = extremumReduction(false);
export const reduceMax18 = extremumReduction(true);
