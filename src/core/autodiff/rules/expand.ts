// Expand: dY (of the output's shape) summed back to the input's shape, done by the driver (`broadcasts`).
import type { RuleEntry } from '../types';

export const expand: RuleEntry = {
  broadcasts: true,
  rule: (_node, [dY]) => [dY, null],
};
