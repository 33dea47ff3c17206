// The explicit map from op type to gradient rule. Keys: `Op` (every opset below its variants), `Op_N`
// (the variant used from opset N on, where semantics changed), `domain:Op` for non-default domains.
// To add a rule: create rules/<op>.ts and add one import and one line below.
import type { RuleEntry } from './types';
import { add } from './rules/add';
import { div } from './rules/div';
import { dropout } from './rules/dropout';
import { erf } from './rules/erf';
import { exp } from './rules/exp';
import { gelu } from './rules/gelu';
import { gemm } from './rules/gemm';
import { identity } from './rules/identity';
import { leakyRelu } from './rules/leakyRelu';
import { log } from './rules/log';
import { logSoftmax, logSoftmax13 } from './rules/logSoftmax';
import { matMul } from './rules/matMul';
import { mul } from './rules/mul';
import { neg } from './rules/neg';
import { pow } from './rules/pow';
import { reduceMean, reduceMean18 } from './rules/reduceMean';
import { reduceSum, reduceSum13 } from './rules/reduceSum';
import { relu } from './rules/relu';
import { sigmoid } from './rules/sigmoid';
import { softmax, softmax13 } from './rules/softmax';
import { sqrt } from './rules/sqrt';
import { sub } from './rules/sub';
import { tanh } from './rules/tanh';

export const gradientRules: Readonly<Record<string, RuleEntry>> = {
  Add: add,
  Div: div,
  Dropout: dropout,
  Erf: erf,
  Exp: exp,
  Gelu: gelu,
  Gemm: gemm,
  Identity: identity,
  LeakyRelu: leakyRelu,
  Log: log,
  LogSoftmax: logSoftmax,
  LogSoftmax_13: logSoftmax13,
  MatMul: matMul,
  Mul: mul,
  Neg: neg,
  Pow: pow,
  ReduceMean: reduceMean,
  ReduceMean_18: reduceMean18,
  ReduceSum: reduceSum,
  ReduceSum_13: reduceSum13,
  Relu: relu,
  Sigmoid: sigmoid,
  Softmax: softmax,
  Softmax_13: softmax13,
  Sqrt: sqrt,
  Sub: sub,
  Tanh: tanh,
  // H3's rules (shape, indexing, normalisation, convolution, pooling) go here.
};

/**
 * Ops whose outputs carry no gradient (integer or boolean results, or piecewise-constant functions
 * whose derivative is zero almost everywhere). They may sit on shape paths; the driver never asks
 * them for a gradient and stops the search for trained paths at them.
 */
export const nonDifferentiableOps: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'Constant', 'ConstantOfShape', 'Range', 'EyeLike',
  'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf',
  'ArgMax', 'ArgMin', 'NonZero', 'Sign', 'Floor', 'Ceil', 'Round',
  'RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Bernoulli', 'Multinomial',
]);

function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/** The rule for an op at an opset: the `Op_N` variant with the largest N ≤ opset, else `Op`. */
export function findGradientRule(opType: string, domain: string, opset: number, rules: Readonly<Record<string, RuleEntry>> = gradientRules): RuleEntry | undefined {
  const base = isDefaultDomain(domain) ? opType : `${domain}:${opType}`;
  let best: RuleEntry | undefined;
  let bestVersion = -1;
  for (const key of Object.keys(rules)) {
    let version: number;
    if (key === base) version = 0;
    else if (key.startsWith(`${base}_`) && /^\d+$/.test(key.slice(base.length + 1))) version = Number(key.slice(base.length + 1));
    else continue;
    if (version <= opset && version > bestVersion) { best = rules[key]; bestVersion = version; }
  }
  return best;
}

/** True when an op's outputs never carry a gradient. */
export function isNonDifferentiable(opType: string, domain: string): boolean {
  return isDefaultDomain(domain) && nonDifferentiableOps.has(opType);
}

/** Every op type training can pass through (rules and non-differentiable ops), sorted, without opset suffixes. */
export function supportedGradientOps(): string[] {
  const names = new Set<string>(nonDifferentiableOps);
  for (const key of Object.keys(gradientRules)) names.add(key.replace(/_\d+$/, ''));
  return [...names].sort();
}
