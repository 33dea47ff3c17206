// Clip: dX = dY where min < X < max, 0 elsewhere (also at the bounds, as Relu at 0 and PyTorch's ReLU6).
// Bounds are attributes before opset 11 and optional inputs from 11; from 11 the bounds also get
// gradients (dY where X is below min, resp. above max), summed to their shapes by the driver.
import { attrFloat } from '../../onnx/ir';
import type { Node } from '../../onnx/ir';
import type { GradContext, RuleEntry } from '../types';

function passMask(ctx: GradContext, x: string, min: string | null, max: string | null): string | null {
  const above = min ? ctx.emit1('Greater', [x, min]) : null;
  const below = max ? ctx.emit1('Less', [x, max]) : null;
  if (above && below) return ctx.emit1('And', [above, below]);
  return above ?? below;
}

function gated(ctx: GradContext, mask: string | null, dY: string): string {
  return mask ? ctx.emit1('Where', [mask, dY, ctx.constant([0])]) : dY;
}

export const clip: RuleEntry = {
  rule: (node: Node, [dY], ctx) => {
    const bound = (name: string, fallback: number) => {
      const v = attrFloat(node, name, fallback);
      return Number.isFinite(v) && Math.abs(v) < 3e38 ? ctx.constant([Math.fround(v)]) : null;
    };
    return [gated(ctx, passMask(ctx, node.inputs[0]!, bound('min', -Infinity), bound('max', Infinity)), dY!)];
  },
};

export const clip11: RuleEntry = {
  broadcasts: true,
  rule: (node, [dY], ctx) => {
    const [x, min, max] = [node.inputs[0]!, node.inputs[1] || null, node.inputs[2] || null];
    const zero = ctx.constant([0]);
    return [
      gated(ctx, passMask(ctx, x, min, max), dY!),
      min ? ctx.emit1('Where', [ctx.emit1('Less', [x, min]), dY!, zero]) : null,
      max ? ctx.emit1('Where', [ctx.emit1('Greater', [x, max]), dY!, zero]) : null,
    ].slice(0, node.inputs.length);
  },
};
