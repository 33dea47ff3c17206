// MatMul with numpy semantics: batched, broadcast batch dims, 1-D operands promoted ([K] → [1,K] for A,
// [K] → [K,1] for B) and the promoted axis removed from Y. dA = dY·Bᵀ, dB = Aᵀ·dY on the promoted
// operands, each summed over broadcast batch dims and reshaped to its input's shape.
import type { Dim } from '../../onnx/ir';
import type { RuleEntry } from '../types';
import { sumToShape, transposeLast2, unsqueeze } from './helpers';

export const matMul: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const [a, b] = node.inputs as [string, string];
    const shapeOf = (t: string): Dim[] => ctx.shape(t) ?? new Array(ctx.rank(t)).fill(null);
    let aS = shapeOf(a);
    let bS = shapeOf(b);
    let a2 = a, b2 = b, g = dY!;
    if (aS.length === 1) {
      a2 = unsqueeze(ctx, a, [0]);
      aS = [1, aS[0]!];
      g = unsqueeze(ctx, g, [bS.length === 1 ? 0 : -2]);
    }
    if (bS.length === 1) { b2 = unsqueeze(ctx, b, [1]); bS = [bS[0]!, 1]; g = unsqueeze(ctx, g, [-1]); }
    const batch = (s: Dim[]) => s.slice(0, -2);
    const yBatch = (() => {
      const [x, y] = [batch(aS), batch(bS)];
      const n = Math.max(x.length, y.length);
      return Array.from({ length: n }, (_, i): Dim => {
        const p = x[i - (n - x.length)], q = y[i - (n - y.length)];
        if (p === undefined) return q!;
        if (q === undefined) return p;
        return p === 1 ? q : q === 1 ? p : p === q ? p : (typeof p === 'number' ? p : typeof q === 'number' ? q : null);
      });
    })();
    const dA = ctx.emit1('MatMul', [g, transposeLast2(ctx, b2, bS.length)]);
    const [k, n] = bS;
    if (b2 === b && bS.length === 2 && aS.length > 2 && typeof k === 'number' && typeof n === 'number') {
      // A 2-D weight under a batched input (e.g. [N, T, in] · [in, out]): fold the batch axes into rows and
      // take one Gemm, instead of a batched product [N, in, out] summed over N afterwards.
      const rowsA = ctx.emit1('Reshape', [a2, ctx.int64([-1, k])]);
      const rowsG = ctx.emit1('Reshape', [g, ctx.int64([-1, n])]);
      return [
        sumToShape(ctx, dA, [...yBatch, aS.at(-2)!, aS.at(-1)!], aS, a, a2 !== a),
        ctx.emit1('Gemm', [rowsA, rowsG], { transA: 1 }),
      ];
    }
    const dB = ctx.emit1('MatMul', [transposeLast2(ctx, a2, aS.length), g]);
    return [
      sumToShape(ctx, dA, [...yBatch, aS.at(-2)!, aS.at(-1)!], aS, a, a2 !== a),
      sumToShape(ctx, dB, [...yBatch, bS.at(-2)!, bS.at(-1)!], bS, b, b2 !== b),
    ];
  },
};
