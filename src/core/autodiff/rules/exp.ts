// Exp: d/dX = dY·Y.
import type { RuleEntry } from '../types';

export const exp: RuleEntry = { rule: (node, [dY], ctx) => [ctx.emit1('Mul', [dY!, node.outputs[0]!])] };
