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
import { sum } from './rules/sum';
import { tanh } from './rules/tanh';
import { averagePool } from './rules/averagePool';
import { batchNormalization } from './rules/batchNormalization';
import { cast } from './rules/cast';
import { concat } from './rules/concat';
import { conv } from './rules/conv';
import { expand } from './rules/expand';
import { flatten } from './rules/flatten';
import { gather } from './rules/gather';
import { gatherElements } from './rules/gatherElements';
import { gatherND } from './rules/gatherND';
import { reciprocal } from './rules/reciprocal';
import { globalAveragePool } from './rules/globalAveragePool';
import { instanceNormalization } from './rules/instanceNormalization';
import { layerNormalization } from './rules/layerNormalization';
import { maxPool } from './rules/maxPool';
import { pad } from './rules/pad';
import { reshape } from './rules/reshape';
import { slice } from './rules/slice';
import { split } from './rules/split';
import { squeeze } from './rules/squeeze';
import { transpose } from './rules/transpose';
import { unsqueeze } from './rules/unsqueeze';
import { where } from './rules/where';
import { abs } from './rules/abs';
import { clip, clip11 } from './rules/clip';
import { convTranspose } from './rules/convTranspose';
import { cos } from './rules/cos';
import { cumSum } from './rules/cumSum';
import { depthToSpace } from './rules/depthToSpace';
import { einsum } from './rules/einsum';
import { elu } from './rules/elu';
import { groupNormalization, groupNormalization21 } from './rules/groupNormalization';
import { hardSigmoid } from './rules/hardSigmoid';
import { hardSwish } from './rules/hardSwish';
import { max } from './rules/max';
import { min } from './rules/min';
import { mish } from './rules/mish';
import { pRelu } from './rules/pRelu';
import { reduceL2, reduceL218 } from './rules/reduceL2';
import { reduceMax, reduceMax18 } from './rules/reduceMax';
import { reduceMin, reduceMin18 } from './rules/reduceMin';
import { resize } from './rules/resize';
import { selu } from './rules/selu';
import { sin } from './rules/sin';
import { softplus } from './rules/softplus';
import { spaceToDepth } from './rules/spaceToDepth';
import { tile } from './rules/tile';
import { upsample } from './rules/upsample';

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
  Sum: sum,
  Tanh: tanh,
  // Shape, indexing, normalisation, convolution and pooling.
  AveragePool: averagePool,
  BatchNormalization: batchNormalization,
  Cast: cast,
  Concat: concat,
  Conv: conv,
  Expand: expand,
  Flatten: flatten,
  Gather: gather,
  GatherElements: gatherElements,
  GatherND: gatherND,
  Reciprocal: reciprocal,
  GlobalAveragePool: globalAveragePool,
  InstanceNormalization: instanceNormalization,
  LayerNormalization: layerNormalization,
  MaxPool: maxPool,
  Pad: pad,
  Reshape: reshape,
  Slice: slice,
  Split: split,
  Squeeze: squeeze,
  Transpose: transpose,
  Unsqueeze: unsqueeze,
  Where: where,
  // Activations, elementwise extrema, reductions, resampling and layout ops met in exported CNNs and transformers.
  Abs: abs,
  Clip: clip,
  Clip_11: clip11,
  ConvTranspose: convTranspose,
  Cos: cos,
  CumSum: cumSum,
  DepthToSpace: depthToSpace,
  Einsum: einsum,
  Elu: elu,
  GroupNormalization: groupNormalization,
  GroupNormalization_21: groupNormalization21,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Max: max,
  Min: min,
  Mish: mish,
  PRelu: pRelu,
  ReduceL2: reduceL2,
  ReduceL2_18: reduceL218,
  ReduceMax: reduceMax,
  ReduceMax_18: reduceMax18,
  ReduceMin: reduceMin,
  ReduceMin_18: reduceMin18,
  Resize: resize,
  Selu: selu,
  Sin: sin,
  Softplus: softplus,
  SpaceToDepth: spaceToDepth,
  Tile: tile,
  Upsample: upsample,
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
export function findGradientRule(opType: string, domain: string, opset: number,
  rules: Readonly<Record<string, RuleEntry>> = gradientRules): RuleEntry | undefined {
  const base = isDefaultDomain(domain) ? opType : `${domain}:${opType}`;
  let best: RuleEntry | undefined;
  let bestVersion = -1;
  for (const key of Object.keys(rules)) {
    let version: number;
    if (key === base) version = 0;
    else if (key.startsWith(`${base}_`) && /^\d+$/.test(key.slice(base.length + 1)))
      version = Number(key.slice(base.length + 1));
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
