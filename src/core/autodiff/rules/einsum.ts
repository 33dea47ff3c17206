// Einsum: the gradient of operand i is an Einsum of dY with the other operands, whose output
// subscripts are operand i's: "out,others->in_i". Letters that only operand i has (summed away in the
// forward) are restored by Unsqueeze + Expand; an ellipsis is spelled out with unused capital letters
// (right-aligned, broadcast dims summed back to the operand's shape). Repeated letters within one
// operand (diagonals) have no rule.
import { attrString } from '../../onnx/ir';
import type { Dim } from '../../onnx/ir';
import type { GradContext, RuleEntry } from '../types';
import { AutodiffError } from '../errors';
import { sumToShape, unsqueeze } from './helpers';

/** Operand and output subscripts with any ellipsis replaced by explicit capital letters. */
function parseEquation(equation: string, ranks: number[], nodeName: string): { operands: string[]; output: string } {
  const [lhs, rhs] = equation.replace(/\s+/g, '').split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  const ellipsisRank = Math.max(0, ...terms.map((t, i) => (t.includes('...') ? ranks[i]! - (t.length - 3) : 0)));
  const capitals = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
  const spare = capitals.filter((c) => !equation.includes(c)).slice(0, ellipsisRank).join('');
  const expand = (t: string, rank: number) => t.replace('...', spare.slice(ellipsisRank - rank));
  const operands = terms.map((t, i) => expand(t, t.includes('...') ? ranks[i]! - (t.length - 3) : 0));
  let output: string;
  if (rhs !== undefined) output = rhs.replace('...', spare);
  else {
    const all = operands.join('');
    const once = [...new Set(all)].filter((c) => all.indexOf(c) === all.lastIndexOf(c) && !spare.includes(c)).sort();
    output = (lhs.includes('...') ? spare : '') + once.join('');
  }
  for (const t of [...operands, output]) {
    if (new Set(t).size !== t.length) {
      const why = 'a letter repeated within one term (a diagonal) has no gradient rule';
      throw new AutodiffError(`node '${nodeName}' (Einsum '${equation}'): ${why}`, nodeName);
    }
  }
  return { operands, output };
}

export const einsum: RuleEntry = {
  rule: (node, [dY], ctx: GradContext) => {
    const equation = attrString(node, 'equation', '');
    const shapes = node.inputs.map((t): Dim[] => ctx.shape(t) ?? new Array<Dim>(ctx.rank(t)).fill(null));
    const { operands, output } = parseEquation(equation, shapes.map((s) => s.length), node.name);
    const letterDim = new Map<string, Dim>();
    operands.forEach((t, i) => [...t].forEach((c, k) => {
      const d = shapes[i]![k]!;
      if (!letterDim.has(c) || letterDim.get(c) === 1) letterDim.set(c, d);
    }));
    return node.inputs.map((x, i) => {
      const others = operands.filter((_, j) => j !== i);
      const reachable = new Set(output + others.join(''));
      const kept = [...operands[i]!].filter((c) => reachable.has(c)).join('');
      const inputs = [dY!, ...node.inputs.filter((_, j) => j !== i)];
      let g = ctx.emit1('Einsum', inputs, { equation: `${[output, ...others].join(',')}->${kept}` });
      const dropped = [...operands[i]!].flatMap((c, k) => (reachable.has(c) ? [] : [k]));
      if (dropped.length > 0) g = ctx.emit1('Expand', [unsqueeze(ctx, g, dropped), ctx.emit1('Shape', [x])]);
      const gShape = [...operands[i]!].map((c, k) => (reachable.has(c) ? letterDim.get(c)! : shapes[i]![k]!));
      return sumToShape(ctx, g, gShape, shapes[i]!, x);
    });
  },
};
