// Add: d/dA = dY, d/dB = dY (the driver undoes broadcasting).
import type { RuleEntry } from '../types';

export const add: RuleEntry = {
  broadcasts: true,
  rule: (_node, [dY]) => [dY!, dY!],
};
