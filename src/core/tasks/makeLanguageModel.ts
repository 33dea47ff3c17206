// The language base model as ONNX Model IR: a small pre-LayerNorm transformer encoder.
//   x int64 [N, L] → Gather(token embedding) + position embedding → layers × (LayerNorm →
//   multi-head self-attention → residual; LayerNorm → MLP (Relu) → residual) → LayerNorm →
//   mean over positions → Gemm projection → z [N, D].
// Padding tokens are ordinary tokens with their own embedding (no attention mask), which keeps the
// graph inside the op set the autodiff differentiates. Seeded init: Xavier for projections, He for
// the Relu layer, N(0, 0.1²) for embeddings, LayerNorm scale 1 / bias 0.
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
  /** Sequence length L (default 12). */
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
}

export function makeLanguageModel(options: LanguageModelOptions): Model {
  const vocab = options.vocabSize ?? VOCAB.length;
  const length = options.sequenceLength ?? DEFAULT_SEQUENCE_LENGTH;
  const dim = options.dim ?? 48;
  const heads = options.heads ?? 2;
  const layers = options.layers ?? 2;
  const mlp = options.mlpDim ?? 2 * dim;
  const embed = options.embedDim ?? 32;
  if (dim % heads !== 0) throw new TaskError(`${heads} heads do not divide the model width ${dim}`, 'heads', heads);
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
  const int64 = (name: string, values: number[]) => {
    inits.push(makeTensor(name, DataType.INT64, [values.length], values));
    return name;
  };
  const xavier = (fanIn: number, fanOut: number) => Math.sqrt(2 / (fanIn + fanOut));
  /** Adds a node whose single output is named after the node, returns the output name. */
  const node = (name: string, op: string, inputs: string[], attrs?: NodeSpec['attrs']) => {
    const out = `${name}_output_0`;
    nodes.push({ name, op, inputs, outputs: [out], ...(attrs ? { attrs } : {}) });
    return out;
  };
  const layerNorm = (scope: string, input: string) => node(`${scope}/LayerNormalization`, 'LayerNormalization',
    [input, param(`${scope.slice(1).replaceAll('/', '.')}.weight`, [dim], 'ones'), param(`${scope.slice(1).replaceAll('/', '.')}.bias`, [dim], 0)],
    { axis: -1, epsilon: floatAttr(1e-5) });
  /** x [N, L, in] · W [in, out] + b. */
  const linear = (scope: string, input: string, inDim: number, outDim: number, std: number) => {
    const prefix = scope.slice(1).replaceAll('/', '.');
    const mm = node(`${scope}/MatMul`, 'MatMul', [input, param(`${prefix}.weight`, [inDim, outDim], std)]);
    return node(`${scope}/Add`, 'Add', [mm, param(`${prefix}.bias`, [outDim], 0)]);
  };

  const headsShape = int64('encoder.heads_shape', [0, 0, heads, headDim]);
  const mergeShape = int64('encoder.merge_shape', [0, 0, dim]);
  const poolAxes = int64('encoder.pool_axes', [1]);
  inits.push(makeTensor('encoder.attn_scale', DataType.FLOAT, [], [1 / Math.sqrt(headDim)]));

  const tok = node('/embed/tokens/Gather', 'Gather', [param('embed.tokens.weight', [vocab, dim], 0.1), 'x'], { axis: 0 });
  let h = node('/embed/Add', 'Add', [tok, param('embed.positions.weight', [length, dim], 0.1)]);

  for (let l = 0; l < layers; l++) {
    const s = `/encoder/layer${l}`;
    const n1 = layerNorm(`${s}/attn_norm`, h);
    const split = (which: string, perm: number[]) => {
      const proj = linear(`${s}/attn/${which}`, n1, dim, dim, xavier(dim, dim));
      const r = node(`${s}/attn/${which}/Reshape`, 'Reshape', [proj, headsShape]);
      return node(`${s}/attn/${which}/Transpose`, 'Transpose', [r], { perm });
    };
    const q = split('q', [0, 2, 1, 3]); // [N, H, L, dh]
    const k = split('k', [0, 2, 3, 1]); // [N, H, dh, L]
    const v = split('v', [0, 2, 1, 3]); // [N, H, L, dh]
    const scores = node(`${s}/attn/scores/MatMul`, 'MatMul', [q, k]);
    const scaled = node(`${s}/attn/scores/Mul`, 'Mul', [scores, 'encoder.attn_scale']);
    const probs = node(`${s}/attn/Softmax`, 'Softmax', [scaled], { axis: -1 });
    const ctx = node(`${s}/attn/context/MatMul`, 'MatMul', [probs, v]);
    const merged = node(`${s}/attn/context/Transpose`, 'Transpose', [ctx], { perm: [0, 2, 1, 3] });
    const flat = node(`${s}/attn/context/Reshape`, 'Reshape', [merged, mergeShape]);
    const attnOut = linear(`${s}/attn/out`, flat, dim, dim, xavier(dim, dim));
    h = node(`${s}/attn/residual/Add`, 'Add', [h, attnOut]);
    const n2 = layerNorm(`${s}/mlp_norm`, h);
    const up = linear(`${s}/mlp/fc1`, n2, dim, mlp, Math.sqrt(2 / dim));
    const act = node(`${s}/mlp/Relu`, 'Relu', [up]);
    const down = linear(`${s}/mlp/fc2`, act, mlp, dim, xavier(mlp, dim));
    h = node(`${s}/mlp/residual/Add`, 'Add', [h, down]);
  }
  const final = layerNorm('/encoder/final_norm', h);
  const pooled = node('/pool/ReduceMean', 'ReduceMean', [final, poolAxes], { keepdims: 0 });
  nodes.push({
    name: '/proj/Gemm', op: 'Gemm', inputs: [pooled, param('proj.weight', [embed, dim], xavier(dim, embed)), param('proj.bias', [embed], 0)],
    outputs: ['z'], attrs: { transB: 1 },
  });
  return makeModel({
    name: 'language-transformer',
    inputs: [{ name: 'x', elemType: DataType.INT64, shape: ['N', length] }],
    outputs: [{ name: 'z', elemType: DataType.FLOAT, shape: ['N', embed] }],
    nodes,
    initializers: inits,
    opset: 18,
  });
}
