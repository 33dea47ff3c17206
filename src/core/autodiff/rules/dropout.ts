// Dropout as run for inference (training_mode absent or false): Y = X, so d/dX = dY; ratio and
// training_mode get no gradient. The optional mask output carries none.
import type { RuleEntry } from '../types';

export const dropout: RuleEntry = {
  rule: (node, [dY]) => node.inputs.map((_, i) => (i === 0 ? dY! : null)),
};
