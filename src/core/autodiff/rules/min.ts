// Min (variadic, numpy broadcasting): as Max (max.ts), the gradient split among the inputs equal to Y.
import type { RuleEntry } from '../types';
import { extremumRule } from './max';

export const min: RuleEntry = extremumRule;
