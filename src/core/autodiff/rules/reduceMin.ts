// ReduceMin: as ReduceMax (reduceMax.ts), the gradient split evenly among the minimal elements.
import { extremumReduction } from './reduceMax';

export const reduceMin = extremumReduction(false);
export const reduceMin18 = extremumReduction(true);
