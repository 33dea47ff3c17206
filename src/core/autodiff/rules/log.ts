// Log: d/dX = dY / X.
import type { RuleEntry } from '../types';

export const log: RuleEntry = { rule: (node, [dY], ctx) => [ctx.emit1('Div', [dY!, node.inputs[0]!])] };
