// The masked-token pretraining graph of a token-embedding encoder. From the model it keeps the part
// that computes the per-token hidden states — the [N, L, D] input of the pooling node: a ReduceMean over
// the sequence axis, or a Gather of one position (a [CLS] token) on that axis — and adds:
//   - a [MASK] token: the token-embedding Gather reads Concat(embedding, mlm.mask_token [1, D]), so
//     id V (one past the vocabulary) is [MASK]; the model's own embedding keeps its shape;
//   - the masked position: hidden · mlm_select [N, L, 1] (one-hot), summed over L → [N, D];
//   - a vocabulary projection Gemm (mlm.head.weight [V, D], mlm.head.bias [V]) → mlm_logits [N, V],
// which the engine's `classify` head scores against the original token.
// The model's initializers keep their names, so trained values copy straight back.
import type { Graph, Model, Node, Tensor } from '../onnx/ir';
import { DataType, attrInt, attrInts } from '../onnx/ir';
import { inferShapes } from '../runtime/inferShapes';
import { makeNode } from '../onnx/makeModel';
import { makeTensor } from '../onnx/tensorCodec';
import { Rng } from '../util/random';
import { TaskError } from './errors';

export interface MaskedTokenModel {
  model: Model;
  /** Scored output: [N, vocab] logits. */
  output: string;
  /** Token-id input (int64 [N, L]) and the position selector input (float [N, L, 1]). */
  tokens: string;
  select: string;
  /** Id of [MASK] (= vocabulary size). */
  maskId: number;
  vocab: number;
  /** Per-token hidden states the head reads. */
  hidden: string;
  /** Initializers added for pretraining only (not in the source model). */
  added: string[];
}

export const MLM_OUTPUT = 'mlm_logits';
export const MLM_SELECT = 'mlm_select';

export async function buildMaskedTokenModel(source: Model, seed: number): Promise<MaskedTokenModel> {
  const g = source.graph;
  const gather = g.nodes.find((n) => n.opType === 'Gather'
    && g.initializers.has(n.inputs[0]!)
    && g.inputs.some((i) => i.name === n.inputs[1] && i.elemType === DataType.INT64));
  if (!gather) {
    throw new TaskError('the model has no token-embedding Gather (an initializer indexed by an int64 graph input)',
      'model', source.graph.name);
  }
  const embedding = g.initializers.get(gather.inputs[0]!)!;
  if (embedding.dims.length !== 2 || embedding.dataType !== DataType.FLOAT) {
    throw new TaskError(
      `token embedding '${embedding.name}' is not a float [vocab, dim] matrix (dims [${embedding.dims.join(', ')}])`,
      'model', embedding.name);
  }
  const tokens = gather.inputs[1]!;
  const tokenInput = g.inputs.find((i) => i.name === tokens)!;
  const pool = g.nodes.find((n) => isSequencePool(n, g));
  if (!pool) {
    throw new TaskError('the model has no pooling over the sequence axis (ReduceMean axes [1] keepdims 0, '
      + 'or Gather axis 1 of one constant position) to find the per-token hidden states before',
    'model', source.graph.name);
  }
  const hidden = pool.inputs[0]!;
  const shapes = await inferShapes(source);
  const hShape = shapes.get(hidden);
  const dim = hShape?.[2];
  if (!hShape || hShape.length !== 3 || typeof dim !== 'number') {
    throw new TaskError(
      `hidden states '${hidden}' are not [N, L, D] with a fixed D (shape [${(hShape ?? []).join(', ')}])`,
      'hidden', hidden);
  }
  const [vocab] = embedding.dims as [number, number];
  const length = tokenInput.shape?.[1] ?? null;

  const keep = ancestors(g, hidden);
  const nodes: Node[] = g.nodes.filter((n) => keep.has(n)).map((n) => ({
    ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: new Map(n.attributes), proto: undefined,
  }));
  const initializers = new Map<string, Tensor>();
  for (const n of nodes) for (const i of n.inputs) { const t = g.initializers.get(i); if (t) initializers.set(i, t); }

  const rng = Rng.derive(seed, 'mlm-head');
  const normal = (n: number, std: number) => Float32Array.from({ length: n }, () => rng.normal(0, std));
  const add = (t: Tensor) => { initializers.set(t.name, t); return t.name; };
  const maskToken = add(makeTensor('mlm.mask_token', DataType.FLOAT, [1, dim], normal(dim, 0.1)));
  const headW = add(
    makeTensor('mlm.head.weight', DataType.FLOAT, [vocab, dim], normal(vocab * dim, Math.sqrt(2 / (vocab + dim)))),
  );
  const headB = add(makeTensor('mlm.head.bias', DataType.FLOAT, [vocab], new Float32Array(vocab)));
  const axes = add(makeTensor('mlm.select_axes', DataType.INT64, [1], [1n]));

  const table = '/mlm/mask_token/Concat_output_0';
  const gatherCopy = nodes.find((n) => n.name === gather.name && n.outputs[0] === gather.outputs[0])!;
  gatherCopy.inputs[0] = table;
  nodes.unshift(makeNode({
    name: '/mlm/mask_token/Concat', op: 'Concat', inputs: [embedding.name, maskToken], outputs: [table],
    attrs: { axis: 0 },
  }, 0));
  nodes.push(
    makeNode({
      name: '/mlm/select/Mul', op: 'Mul', inputs: [hidden, MLM_SELECT], outputs: ['/mlm/select/Mul_output_0'],
    }, 0),
    makeNode({
      name: '/mlm/select/ReduceSum', op: 'ReduceSum', inputs: ['/mlm/select/Mul_output_0', axes],
      outputs: ['/mlm/select/ReduceSum_output_0'], attrs: { keepdims: 0 },
    }, 0),
    makeNode({
      name: '/mlm/head/Gemm', op: 'Gemm', inputs: ['/mlm/select/ReduceSum_output_0', headW, headB],
      outputs: [MLM_OUTPUT], attrs: { transB: 1 },
    }, 0),
  );
  const graph: Graph = {
    name: `${g.name}-mlm`,
    nodes,
    inputs: [
      tokenInput,
      { name: MLM_SELECT, elemType: DataType.FLOAT, shape: [tokenInput.shape?.[0] ?? 'N', length, 1] },
    ],
    outputs: [{ name: MLM_OUTPUT, elemType: DataType.FLOAT, shape: [tokenInput.shape?.[0] ?? 'N', vocab] }],
    valueInfo: [],
    initializers,
  };
  return {
    model: { ...source, graph, proto: undefined },
    output: MLM_OUTPUT, tokens, select: MLM_SELECT, maskId: vocab, vocab, hidden,
    added: [maskToken, headW, headB],
  };
}

/** Mean over axis 1, or one position of axis 1 taken by a scalar constant index. */
function isSequencePool(n: Node, g: Graph): boolean {
  if (n.opType === 'ReduceMean') return attrInt(n, 'keepdims', 1) === 0 && sameAxes(reduceAxes(n, g), [1]);
  if (n.opType !== 'Gather' || attrInt(n, 'axis', 0) !== 1) return false;
  const index = g.initializers.get(n.inputs[1]!);
  return !!index && index.dims.length === 0;
}

function reduceAxes(n: Node, g: Graph): number[] | undefined {
  const attr = attrInts(n, 'axes');
  if (attr) return attr;
  const t = n.inputs[1] ? g.initializers.get(n.inputs[1]) : undefined;
  return t ? Array.from(t.data as ArrayLike<number | bigint>, Number) : undefined;
}

function sameAxes(a: number[] | undefined, b: number[]): boolean {
  return !!a && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Nodes on which `target` depends. */
function ancestors(g: Graph, target: string): Set<Node> {
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const keep = new Set<Node>();
  const stack = [target];
  while (stack.length) {
    const n = producer.get(stack.pop()!);
    if (!n || keep.has(n)) continue;
    keep.add(n);
    stack.push(...n.inputs.filter((i) => i !== ''));
  }
  return keep;
}
