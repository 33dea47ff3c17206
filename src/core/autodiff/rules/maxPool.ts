// MaxPool: MaxPool is run again with its Indices output (row-major flat positions in X, storage_order 0)
// and dY is scattered there into zeros, adding where one element is the maximum of several windows.
// Before opset 16 (no scatter reduction) only non-overlapping windows (stride ≥ window) are exact.
import type { AttrInput } from '../../onnx/makeModel';
import { attrInt, attrInts, DataType } from '../../onnx/ir';
import type { GradContext, RuleEntry } from '../types';
import type { Node } from '../../onnx/ir';
import { AutodiffError } from '../errors';
import { fillLike } from './helpers';

export const maxPool: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const grads: (string | null)[] = node.inputs.map(() => null);
    if (!dY) return grads;
    const x = node.inputs[0]!;
    const fast = tiledGradient(node, dY, ctx);
    if (fast) { grads[0] = fast; return grads; }
    let indices = node.outputs[1];
    if (!indices || attrInt(node, 'storage_order', 0) !== 0) {
      const attrs = Object.fromEntries(node.attributes) as Record<string, AttrInput>;
      attrs.storage_order = 0;
      indices = ctx.emit('MaxPool', [x], attrs, 2)[1]!;
    }
    const kernel = attrInts(node, 'kernel_shape') ?? [];
    const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
    const dilations = attrInts(node, 'dilations') ?? kernel.map(() => 1);
    const overlapping = kernel.some((k, i) => (k - 1) * dilations[i]! + 1 > strides[i]!);
    if (ctx.opset < 16 && overlapping) {
      throw new AutodiffError(`node '${node.name}' (MaxPool): overlapping windows need ScatterElements with reduction 'add' (opset 16); the model has opset ${ctx.opset}`, node.name);
    }
    const flat = ctx.int64([-1]);
    const zeros = ctx.emit1('Reshape', [fillLike(ctx, 0, x), flat]);
    const idx = ctx.emit1('Reshape', [ctx.emit1('Cast', [indices], { to: DataType.INT64 }), flat]);
    const scattered = ctx.emit1('ScatterElements', [zeros, idx, ctx.emit1('Reshape', [dY, flat])],
      ctx.opset >= 16 ? { axis: 0, reduction: 'add' } : { axis: 0 });
    grads[0] = ctx.emit1('Reshape', [scattered, ctx.emit1('Shape', [x])]);
    return grads;
  },
};

/**
 * Windows that tile the input exactly (2-D, kernel = stride, no padding or dilation, sizes divisible):
 * each window is laid out along a last axis, the first maximum picked with ArgMax (MaxPool's own tie rule),
 * and dY routed there by a one-hot product — dense ops only, much faster than a scatter. null otherwise.
 */
function tiledGradient(node: Node, dY: string, ctx: GradContext): string | null {
  const x = node.inputs[0]!;
  const shape = ctx.shape(x);
  const kernel = attrInts(node, 'kernel_shape') ?? [];
  const strides = attrInts(node, 'strides') ?? kernel.map(() => 1);
  const pads = attrInts(node, 'pads') ?? [];
  const dilations = attrInts(node, 'dilations') ?? [];
  const autoPad = node.attributes.get('auto_pad');
  if (!shape || shape.length !== 4 || kernel.length !== 2) return null;
  const [, c, h, w] = shape;
  const [kh, kw] = kernel as [number, number];
  if (typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number') return null;
  if (strides[0] !== kh || strides[1] !== kw || h % kh !== 0 || w % kw !== 0) return null;
  if (pads.some((p) => p !== 0) || dilations.some((d) => d !== 1) || attrInt(node, 'ceil_mode', 0) !== 0) return null;
  if (autoPad && autoPad.type === 'string' && autoPad.value !== 'NOTSET' && autoPad.value !== 'VALID') return null;
  const [oh, ow] = [h / kh, w / kw];
  // [N, C, H, W] -> [N, C, oh, kh, ow, kw] -> [N, C, oh, ow, kh, kw] -> [N, C, oh, ow, kh·kw]
  const windows = ctx.emit1('Reshape', [
    ctx.emit1('Transpose', [ctx.emit1('Reshape', [x, ctx.int64([-1, c, oh, kh, ow, kw])])], { perm: [0, 1, 2, 4, 3, 5] }),
    ctx.int64([-1, c, oh, ow, kh * kw]),
  ]);
  const first = ctx.emit1('ArgMax', [windows], { axis: -1, keepdims: 1, select_last_index: 0 });
  const oneHot = ctx.emit1('Cast', [ctx.emit1('Equal', [ctx.int64(Array.from({ length: kh * kw }, (_, i) => i)), first])], { to: ctx.floatType });
  const routed = ctx.emit1('Mul', [oneHot, ctx.emit1('Unsqueeze', [dY, ctx.int64([-1])])]);
  // Back: [N, C, oh, ow, kh, kw] -> [N, C, oh, kh, ow, kw] -> [N, C, H, W]
  const back = ctx.emit1('Transpose', [ctx.emit1('Reshape', [routed, ctx.int64([-1, c, oh, ow, kh, kw])])], { perm: [0, 1, 2, 4, 3, 5] });
  return ctx.emit1('Reshape', [back, ctx.int64([-1, c, h, w])]);
}
