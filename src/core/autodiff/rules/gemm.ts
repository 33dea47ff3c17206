// Gemm: Y = α·A'·B' + β·C with A' = transA ? Aᵀ : A, B' likewise; each gradient is one Gemm.
// dA = α·dY·B'ᵀ (transposed back when transA), dB = α·A'ᵀ·dY (likewise), dC = β·dY summed to C's shape.
import { attrFloat, attrInt } from '../../onnx/ir';
import { floatAttr } from '../../onnx/makeModel';
import type { RuleEntry } from '../types';
import { sumToShape } from './helpers';

export const gemm: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const [a, b, c] = node.inputs as [string, string, string | undefined];
    const alpha = floatAttr(attrFloat(node, 'alpha', 1));
    const beta = Math.fround(attrFloat(node, 'beta', 1)); // float attributes are float32 in the file
    const tA = attrInt(node, 'transA', 0);
    const tB = attrInt(node, 'transB', 0);
    const gemm = (x: string, y: string, transA: number, transB: number) =>
      ctx.emit1('Gemm', [x, y], { alpha, transA, transB });
    const dA = tA ? gemm(b, dY!, tB, 1) : gemm(dY!, b, 0, tB ? 0 : 1);
    const dB = tB ? gemm(dY!, a, 1, tA) : gemm(a, dY!, tA ? 0 : 1, 0);
    const grads: (string | null)[] = [dA, dB];
    if (c !== undefined) {
      if (!c) grads.push(null);
      else {
        const scaled = beta === 1 ? dY! : ctx.emit1('Mul', [dY!, ctx.constant([beta])]);
        const cShape = ctx.shape(c) ?? new Array(ctx.rank(c)).fill(null);
        grads.push(sumToShape(ctx, scaled, ctx.shape(node.outputs[0]!) ?? [null, null], cShape, c));
      }
    }
    return grads;
  },
};
