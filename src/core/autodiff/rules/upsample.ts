// Upsample (opsets 7–9, removed in 10): Resize-10's computation, scales as an attribute (7) or input 1 (9).
import type { RuleEntry } from '../types';
import { resize } from './resize';

export const upsample: RuleEntry = resize;
