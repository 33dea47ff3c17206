// Sum (variadic, broadcasting): every input gets dY.
import type { RuleEntry } from '../types';

export const sum: RuleEntry = {
  broadcasts: true,
  rule: (node, [dY]) => node.inputs.map(() => dY!),
};
