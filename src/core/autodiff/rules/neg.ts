// Neg: d/dX = −dY.
import type { RuleEntry } from '../types';

export const neg: RuleEntry = { rule: (_node, [dY], ctx) => [ctx.emit1('Neg', [dY!])] };
