// The language base model as ONNX Model IR: a small BERT-style transformer encoder.
//   x int64 [N, L] (position 0 is [CLS], PAD = 0) → Gather(token embedding) + position embedding →
//   layers × encoder layer → [CLS] hidden state → pooler (Gemm, Tanh) → Gemm → z [N, D].
// Encoder layer, `pre` LayerNorm (default): h += attn(LN(h)); h += mlp(LN(h)), and a final LayerNorm;
// `post` (BERT's): LN after the embeddings, h = LN(h + attn(h)); h = LN(h + mlp(h)).
// Multi-head self-attention with a padding mask: keys at PAD positions get −1e4 added to their scores
// (Cast(x → bool → float) − 1, times 1e4), so padding never changes a real token's state.
// Initializer names: `embed.*` (never masked by the demo's scopes), `encoder.layer<l>.*`, `head.*`.
// Seeded init: Xavier for projections, He for the Relu layer, N(0, 0.1²) for embeddings, LayerNorm 1 / 0.
import type { Model, Tensor } from '../onnx/ir';
import { DataType } from '../onnx/ir';
import { floatAttr, makeModel, type NodeSpec } from '../onnx/makeModel';
import { makeTensor } from '../onnx/tensorCodec';
import { Rng } from '../util/random';
import { DEFAULT_SEQUENCE_LENGTH, VOCAB } from './agreementGrammar';
import { TaskError } from './errors';

export interface LanguageModelOptions {
  seed: number;
  /** Vocabulary size (default: the agreement grammar's). */
  vocabSize?: number;
  /** Sequence length L (default 14). */
  sequenceLength?: number;
  /** Model width (default 48). */
  dim?: number;
  /** Attention heads (default 2); must divide `dim`. */
  heads?: number;
  /** Encoder layers (default 2). */
  layers?: number;
  /** MLP hidden width (default 2·dim). */
  mlpDim?: number;
  /** Embedding size D of the output (default 32). */
  embedDim?: number;
  /** Where the LayerNorms sit (default `pre`). */
  norm?: 'pre' | 'post';
}

/** Score added to attention logits of padding keys. */
const PAD_SCORE = -1e4;

export function makeLanguageModel(options: LanguageModelOptions): Model {
  const vocab = options.vocabSize ?? VOCAB.length;
  const length = options.sequenceLength ?? DEFAULT_SEQUENCE_LENGTH;
  const dim = options.dim ?? 48;
  const heads = options.heads ?? 2;
  const layers = options.layers ?? 2;
  const mlp = options.mlpDim ?? 2 * dim;
  const embed = options.embedDim ?? 32;
  const preNorm = (options.norm ?? 'pre') === 'pre';
  if (dim % heads !== 0) throw new TaskError(`${heads} heads do not divide the model width ${dim}`, 'heads', heads);
  if (!Number.isInteger(layers) || layers < 1) {
    throw new TaskError(`layer count ${layers} is not a positive integer`, 'layers', layers);
  }
  const headDim = dim / heads;
  const rng = Rng.derive(options.seed, 'language-model');
  const inits: Tensor[] = [];
  const nodes: NodeSpec[] = [];
  const param = (name: string, dims: number[], init: number | 'ones') => {
    const n = dims.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: n }, () => (init === 'ones' ? 1 : init === 0 ? 0 : rng.normal(0, init)));
    inits.push(makeTensor(name, DataType.FLOAT, dims, values));
    return name;
  };
  const constant = (name: string, type: number, dims: number[], values: number[]) => {
    inits.push(makeTensor(name, type, dims, values));
    return name;
  };
  const xavier = (fanIn: number, fanOut: number) => Math.sqrt(2 / (fanIn + fanOut));
  /** Adds a node whose single output is named after the node, returns the output name. */
  const node = (name: string, op: string, inputs: string[], attrs?: NodeSpec['attrs']) => {
    const out = `${name}_output_0`;
    nodes.push({ name, op, inputs, outputs: [out], ...(attrs ? { attrs } : {}) });
    return out;
  };
  const paramName = (scope: string, what: string) => `${scope.slice(1).replaceAll('/', '.')}.${what}`;
  const layerNorm = (scope: string, input: string) => node(`${scope}/LayerNormalization`, 'LayerNormalization',
    [input, param(paramName(scope, 'weight'), [dim], 'ones'), param(paramName(scope, 'bias'), [dim], 0)],
    { axis: -1, epsilon: floatAttr(1e-5) });
  /** x [N, L, in] · W [in, out] + b. */
  const linear = (scope: string, input: string, inDim: number, outDim: number, std: number) => {
    const mm = node(`${scope}/MatMul`, 'MatMul', [input, param(paramName(scope, 'weight'), [inDim, outDim], std)]);
    return node(`${scope}/Add`, 'Add', [mm, param(paramName(scope, 'bias'), [outDim], 0)]);
  };
  /** x [N, in] · Wᵀ + b with W [out, in] (PyTorch's Linear layout). */
  const gemm = (scope: string, input: string, inDim: number, outDim: number, output?: string) => {
    const w = param(paramName(scope, 'weight'), [outDim, inDim], xavier(inDim, outDim));
    const b = param(paramName(scope, 'bias'), [outDim], 0);
    const spec = { name: `${scope}/Gemm`, op: 'Gemm', inputs: [input, w, b] };
    if (!output) return node(spec.name, spec.op, spec.inputs, { transB: 1 });
    nodes.push({ ...spec, outputs: [output], attrs: { transB: 1 } });
    return output;
  };

  const headsShape = constant('encoder.heads_shape', DataType.INT64, [4], [0, 0, heads, headDim]);
  const mergeShape = constant('encoder.merge_shape', DataType.INT64, [3], [0, 0, dim]);
  const attnScale = constant('encoder.attn_scale', DataType.FLOAT, [], [1 / Math.sqrt(headDim)]);

  // Padding mask: [N, 1, 1, L] score bias, 0 for real tokens and PAD_SCORE for padding.
  const isToken = node('/mask/Cast_bool', 'Cast', ['x'], { to: DataType.BOOL });
  const keep = node('/mask/Cast', 'Cast', [isToken], { to: DataType.FLOAT });
  const dropped = node('/mask/Sub', 'Sub', [keep, constant('mask.one', DataType.FLOAT, [], [1])]);
  const bias = node('/mask/Mul', 'Mul', [dropped, constant('mask.pad_score', DataType.FLOAT, [], [-PAD_SCORE])]);
  const keyBias = node('/mask/Unsqueeze', 'Unsqueeze', [bias, constant('mask.axes', DataType.INT64, [2], [1, 2])]);

  const tokens = param('embed.tokens.weight', [vocab, dim], 0.1);
  const tok = node('/embed/tokens/Gather', 'Gather', [tokens, 'x'], { axis: 0 });
  let h = node('/embed/Add', 'Add', [tok, param('embed.positions.weight', [length, dim], 0.1)]);
  if (!preNorm) h = layerNorm('/embed/norm', h);

  for (let l = 0; l < layers; l++) {
    const s = `/encoder/layer${l}`;
    const attnIn = preNorm ? layerNorm(`${s}/attn_norm`, h) : h;
    const split = (which: string, perm: number[]) => {
      const proj = linear(`${s}/attn/${which}`, attnIn, dim, dim, xavier(dim, dim));
      const r = node(`${s}/attn/${which}/Reshape`, 'Reshape', [proj, headsShape]);
      return node(`${s}/attn/${which}/Transpose`, 'Transpose', [r], { perm });
    };
    const q = split('q', [0, 2, 1, 3]); // [N, H, L, dh]
    const k = split('k', [0, 2, 3, 1]); // [N, H, dh, L]
    const v = split('v', [0, 2, 1, 3]); // [N, H, L, dh]
    const scores = node(`${s}/attn/scores/MatMul`, 'MatMul', [q, k]);
    const scaled = node(`${s}/attn/scores/Mul`, 'Mul', [scores, attnScale]);
    const masked = node(`${s}/attn/scores/Add`, 'Add', [scaled, keyBias]);
    const probs = node(`${s}/attn/Softmax`, 'Softmax', [masked], { axis: -1 });
    const ctx = node(`${s}/attn/context/MatMul`, 'MatMul', [probs, v]);
    const merged = node(`${s}/attn/context/Transpose`, 'Transpose', [ctx], { perm: [0, 2, 1, 3] });
    const flat = node(`${s}/attn/context/Reshape`, 'Reshape', [merged, mergeShape]);
    const attnOut = linear(`${s}/attn/out`, flat, dim, dim, xavier(dim, dim));
    h = node(`${s}/attn/residual/Add`, 'Add', [h, attnOut]);
    if (!preNorm) h = layerNorm(`${s}/attn_norm`, h);
    const mlpIn = preNorm ? layerNorm(`${s}/mlp_norm`, h) : h;
    const up = linear(`${s}/mlp/fc1`, mlpIn, dim, mlp, Math.sqrt(2 / dim));
    const act = node(`${s}/mlp/Relu`, 'Relu', [up]);
    const down = linear(`${s}/mlp/fc2`, act, mlp, dim, xavier(mlp, dim));
    h = node(`${s}/mlp/residual/Add`, 'Add', [h, down]);
    if (!preNorm) h = layerNorm(`${s}/mlp_norm`, h);
  }
  const final = preNorm ? layerNorm('/encoder/final_norm', h) : h;
  const cls = node('/pool/Gather', 'Gather', [final, constant('pool.cls_index', DataType.INT64, [], [0])], { axis: 1 });
  const pooled = node('/head/pooler/Tanh', 'Tanh', [gemm('/head/pooler', cls, dim, dim)]);
  gemm('/head/out', pooled, dim, embed, 'z');
  return makeModel({
    name: 'language-transformer',
    inputs: [{ name: 'x', elemType: DataType.INT64, shape: ['N', length] }],
    outputs: [{ name: 'z', elemType: DataType.FLOAT, shape: ['N', embed] }],
    nodes,
    initializers: inits,
    opset: 18,
  });
}
