// Sub: d/dA = dY, d/dB = −dY.
import type { RuleEntry } from '../types';

export const sub: RuleEntry = {
  broadcasts: true,
  rule: (_node, [dY], ctx) => [dY!, ctx.emit1('Neg', [dY!])],
};
