// Identity: d/dX = dY.
import type { RuleEntry } from '../types';

export const identity: RuleEntry = { rule: (_node, [dY]) => [dY!] };
