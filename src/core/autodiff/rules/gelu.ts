// Gelu (opset 20). approximate='none': Y = X·Φ(X), d/dX = Φ(X) + X·φ(X).
// approximate='tanh': Y = ½X(1 + tanh u), u = √(2/π)(X + 0.044715X³),
// d/dX = ½(1 + t) + ½X(1 − t²)·√(2/π)(1 + 3·0.044715X²), t = tanh u.
import { attrString } from '../../onnx/ir';
import type { RuleEntry } from '../types';

export const gelu: RuleEntry = {
  rule: (node, [dY], ctx) => {
    const x = node.inputs[0]!;
    const c = (v: number) => ctx.constant([v]);
    const mul = (a: string, b: string) => ctx.emit1('Mul', [a, b]);
    const add = (a: string, b: string) => ctx.emit1('Add', [a, b]);
    const x2 = mul(x, x);
    let slope: string;
    if (attrString(node, 'approximate', 'none') === 'tanh') {
      const k = Math.sqrt(2 / Math.PI);
      const t = ctx.emit1('Tanh', [mul(c(k), add(x, mul(c(0.044715), mul(x2, x))))]);
      const du = mul(c(k), add(c(1), mul(c(3 * 0.044715), x2)));
      const sech2 = ctx.emit1('Sub', [c(1), mul(t, t)]);
      slope = add(mul(c(0.5), add(c(1), t)), mul(mul(c(0.5), x), mul(sech2, du)));
    } else {
      const cdf = mul(c(0.5), add(c(1), ctx.emit1('Erf', [mul(x, c(Math.SQRT1_2))])));
      const pdf = mul(c(1 / Math.sqrt(2 * Math.PI)), ctx.emit1('Exp', [mul(x2, c(-0.5))]));
      slope = add(cdf, mul(x, pdf));
    }
    return [mul(dY!, slope)];
  },
};
