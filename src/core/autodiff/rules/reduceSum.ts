// ReduceSum: d/dX = dY broadcast back to X's shape; with keepdims=0 the reduced axes are first restored
// by Unsqueeze. Before opset 13 `axes` is an attribute; from 13 an optional input (possibly computed:
// it is passed through to Unsqueeze as a tensor). No axes: all axes, or nothing with noop_with_empty_axes.
import { attrInt } from '../../onnx/ir';
import type { Node } from '../../onnx/ir';
import type { GradContext, RuleEntry } from '../types';
import { unsqueeze } from './helpers';

/** dY with the reduced axes restored, expanded to Shape(X). `axesFromInput`: the opset where axes moved to input 1. */
export function unreduce(node: Node, dY: string, ctx: GradContext, axesFromInput: boolean): string {
  const x = node.inputs[0]!;
  let g = dY;
  if (attrInt(node, 'keepdims', 1) === 0) {
    const axesInput = axesFromInput ? node.inputs[1] : undefined;
    const axesAttr = node.attributes.get('axes');
    if (axesInput) g = ctx.emit1('Unsqueeze', [g, axesInput]);
    else if (!axesFromInput && axesAttr?.type === 'ints') g = unsqueeze(ctx, g, axesAttr.value);
    // otherwise every axis was reduced: Y is a scalar and Expand restores the shape.
  }
  return ctx.emit1('Expand', [g, ctx.emit1('Shape', [x])]);
}

function reduceSumRule(axesFromInput: boolean): RuleEntry {
  return { rule: (node, [dY], ctx) =>
    [unreduce(node, dY!, ctx, axesFromInput), ...node.inputs.slice(1).map(() => null)] };
}

export const reduceSum = reduceSumRule(false);
export const reduceSum13 = reduceSumRule(true);
