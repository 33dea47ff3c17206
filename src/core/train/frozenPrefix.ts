// A mask that covers only late layers leaves every layer before it frozen: their activations depend on the
// input row alone. splitFrozenPrefix cuts the model where the first masked weight enters; cacheFrozenPrefix
// runs the frozen part once over each data set, so mask training and every evaluation after it run only
// the layers a mask can change, on the cached activations.
import type { Dim, Graph, Model, Node, ValueInfo } from '../onnx/ir';
import { DataType } from '../onnx/ir';
import { sortTopologically } from '../onnx/sortTopologically';
import { createSession, ort } from '../runtime/session';
import { untypedOutput } from '../runtime/inferShapes';
import { stimuliPerExample, type HeadSpec } from './lossHeads';
import { fixedBatchOf } from './fixedBatch';
import { toOrt } from './toOrt';
import { arrayData, chunksOf, paddedRows, type NumericArray, type TrainingData } from './TrainingData';

export interface FrozenSplit {
  /** Data inputs → frontier: the nodes no masked weight reaches that read the data. */
  prefix: Model;
  /** The rest of the model, reading the frontier tensors (graph inputs once cached). */
  suffix: Model;
  /** Tensors computed by the prefix (or data inputs) that the rest of the model reads. */
  frontier: string[];
  prefixNodes: number;
}

/**
 * The model cut after its frozen, data-dependent part, or undefined when there is nothing to cut (the first
 * node reading the data already has a masked weight), when a node holds a subgraph (its outer-scope reads are
 * not visible here), or when the scored output is frozen.
 */
export function splitFrozenPrefix(model: Model, masked: string[], output: string): FrozenSplit | undefined {
  const g = model.graph;
  if (g.nodes.some((n) => [...n.attributes.values()].some((a) => a.type === 'graph' || a.type === 'graphs'))) {
    return undefined;
  }
  const nodes = sortTopologically(g);
  const dataDependent = new Set(g.inputs.map((i) => i.name));
  const maskDependent = new Set(masked);
  const prefixNodes: Node[] = [];
  const suffixNodes: Node[] = [];
  for (const node of nodes) {
    const inputs = node.inputs.filter((i) => i !== '');
    if (inputs.some((i) => maskDependent.has(i))) {
      node.outputs.forEach((o) => maskDependent.add(o));
      suffixNodes.push(node);
    } else if (inputs.some((i) => dataDependent.has(i))) {
      node.outputs.forEach((o) => dataDependent.add(o));
      prefixNodes.push(node);
    } else {
      // Depends on weights and constants only: both parts may need it, and it is cheap to recompute.
      suffixNodes.push(node);
    }
  }
  if (prefixNodes.length === 0 || !maskDependent.has(output)) return undefined;
  const frontier = new Set<string>();
  for (const node of suffixNodes) node.inputs.forEach((i) => dataDependent.has(i) && frontier.add(i));
  const frontierNames = [...frontier];
  if (frontierNames.length === 0) return undefined;

  // The frontier's element types are whatever the nodes produce: undeclared outputs, typed once they have run.
  const prefixGraph = subgraph(g, withConstantAncestors(prefixNodes, suffixNodes),
    g.inputs, frontierNames.filter((n) => !g.inputs.some((i) => i.name === n)).map(untypedOutput));
  // Frontier tensors that are data inputs pass straight through: the prefix returns only computed ones.
  const suffixGraph = subgraph(g, suffixNodes, frontierNames.map(untypedOutput),
    g.outputs.filter((o) => maskDependent.has(o.name)));
  return {
    prefix: { ...model, graph: prefixGraph, proto: undefined },
    suffix: { ...model, graph: suffixGraph, proto: undefined },
    frontier: frontierNames,
    prefixNodes: prefixNodes.length,
  };
}

/**
 * The prefix nodes with the weight/constant-only nodes they read (transitively); subgraph() orders them. A
 * prefix node reads no masked value, so every producer reached here is one of those weight/constant nodes.
 */
function withConstantAncestors(prefix: Node[], others: Node[]): Node[] {
  const producer = new Map<string, Node>();
  for (const n of others) n.outputs.forEach((o) => producer.set(o, n));
  const needed = new Set<Node>(prefix);
  const stack = prefix.flatMap((n) => n.inputs);
  while (stack.length) {
    const p = producer.get(stack.pop()!);
    if (!p || needed.has(p)) continue;
    needed.add(p);
    stack.push(...p.inputs);
  }
  return [...needed];
}

/** A graph of the `nodes` that its outputs need, with only the initializers they read. */
function subgraph(g: Graph, nodes: Node[], inputs: ValueInfo[], outputs: ValueInfo[]): Graph {
  const sorted = sortTopologically({ ...g, nodes });
  const live = new Set(outputs.map((o) => o.name));
  for (let i = sorted.length - 1; i >= 0; i--) {
    const n = sorted[i]!;
    if (n.outputs.some((o) => live.has(o))) n.inputs.forEach((x) => live.add(x));
    else sorted.splice(i, 1);
  }
  const read = new Set(sorted.flatMap((n) => n.inputs));
  return {
    name: g.name, nodes: sorted, inputs: inputs.filter((i) => read.has(i.name)), outputs, valueInfo: [],
    initializers: new Map([...g.initializers].filter(([name]) => read.has(name))),
  };
}

/** Element types a cached activation can have (those TrainingData arrays and toOrt carry). */
const CACHEABLE: Record<string, { elemType: number; array: new (n: number) => NumericArray }> = {
  float32: { elemType: DataType.FLOAT, array: Float32Array },
  float64: { elemType: DataType.DOUBLE, array: Float64Array },
  int64: { elemType: DataType.INT64, array: BigInt64Array },
  int32: { elemType: DataType.INT32, array: Int32Array },
  uint8: { elemType: DataType.UINT8, array: Uint8Array },
};

export interface CachedPrefix {
  /** The suffix with the frontier tensors as typed graph inputs. */
  model: Model;
  /** Each data set as frontier activations, in the order given. */
  sets: TrainingData[];
  bytes: number;
}

export interface CacheOptions {
  /** The unsplit model (its batch dimension and fixed batch). */
  model: Model;
  head: HeadSpec;
  threads?: number;
  /** Above this many bytes of activations over all sets, nothing is cached. */
  budgetBytes: number;
  signal?: AbortSignal;
}

/** Problems per prefix call. */
const CHUNK = 64;

/**
 * The frontier activations of every set, or a reason why they are not cached: rows mixing in the frozen
 * part (a frontier tensor without one row per stimulus, or a row's activations depending on its batch), an
 * element type TrainingData cannot hold, a non-row dimension that differs between sets, or the budget.
 */
export async function cacheFrozenPrefix(
  split: FrozenSplit, sets: TrainingData[], options: CacheOptions,
): Promise<CachedPrefix | { skipped: string }> {
  const k = stimuliPerExample(options.head);
  const fixed = fixedBatchOf(options.model, options.head);
  const session = await createSession(split.prefix, { threads: options.threads });
  try {
    const computed = split.frontier.filter((n) => split.prefix.graph.outputs.some((o) => o.name === n));
    const run = async (batch: ReturnType<TrainingData['rows']>) => {
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of split.prefix.graph.inputs) {
        const a = batch.inputs[input.name]!;
        feeds[input.name] = toOrt(a.data, a.dims);
      }
      const out = computed.length ? await session.run(feeds, computed) : {};
      const values: Record<string, { data: NumericArray; dims: number[]; type: string }> = {};
      for (const name of split.frontier) {
        const t = out[name];
        const fed = batch.inputs[name];
        values[name] = t
          ? { data: t.data as NumericArray, dims: [...t.dims], type: t.type }
          : { data: fed!.data, dims: fed!.dims, type: arrayType(fed!.data) };
      }
      return values;
    };
    // One chunk, then its first and its last problem alone: every frontier tensor must hold one row per
    // stimulus, and a row's activations must depend neither on the rows beside it (a batch mean) nor on
    // its place in the batch (a Range over the batch).
    const first = sets.find((s) => s.size > 0);
    if (!first) return { skipped: 'no data' };
    const n = Math.min(CHUNK, first.size, fixed ?? CHUNK);
    const many = await run(paddedRows(first, Uint32Array.from({ length: n }, (_, i) => i), fixed));
    const alone = [];
    for (const i of [0, n - 1]) alone.push({ i, values: await run(paddedRows(first, [i], fixed)) });
    const rowsFed = (fixed ?? n) * k;
    const rowShape = new Map<string, { type: string; dims: number[] }>();
    let bytesPerProblem = 0;
    for (const name of split.frontier) {
      const a = many[name]!;
      if (!CACHEABLE[a.type]) return { skipped: `'${name}' is ${a.type}` };
      if (a.dims[0] !== rowsFed) {
        return { skipped: `'${name}' has no row per stimulus (shape [${a.dims.join(', ')}])` };
      }
      const len = k * (a.data.length / rowsFed);
      for (const { i, values } of alone) {
        const b = values[name]!;
        if (b.dims[0] !== (fixed ?? 1) * k || !sameRows(a.data.subarray(i * len, (i + 1) * len), b.data, len)) {
          return { skipped: `'${name}' mixes the rows of a batch` };
        }
      }
      rowShape.set(name, { type: a.type, dims: a.dims.slice(1) });
      bytesPerProblem += len * (a.data as { BYTES_PER_ELEMENT: number } & NumericArray).BYTES_PER_ELEMENT;
    }
    const bytes = bytesPerProblem * sets.reduce((sum, s) => sum + s.size, 0);
    if (bytes > options.budgetBytes) {
      return { skipped: `the frozen layers' activations would take ${(bytes / 2 ** 20).toFixed(0)} MiB` };
    }

    const cached: TrainingData[] = [];
    for (const set of sets) {
      const arrays = new Map([...rowShape].map(([name, s]) => [name,
        new CACHEABLE[s.type]!.array(set.size * k * s.dims.reduce((a, d) => a * d, 1))]));
      const labels: (number | bigint)[] = [];
      let start = 0;
      for (const batch of chunksOf(set, CHUNK, fixed)) {
        if (options.signal?.aborted) return { skipped: 'stopped' };
        const values = await run(batch);
        const n = batch.labels.length;
        for (const [name, array] of arrays) {
          const v = values[name]!;
          if (!sameDims(v.dims.slice(1), rowShape.get(name)!.dims)) {
            return { skipped: `'${name}' changes shape between rows ([${v.dims.join(', ')}])` };
          }
          const len = array.length / set.size;
          (array as { set(x: ArrayLike<unknown>, o: number): void }).set(
            (v.data as NumericArray).subarray(0, n * len) as ArrayLike<unknown>, start * len);
        }
        for (let i = 0; i < n; i++) labels.push(batch.labels[i]!);
        start += n;
      }
      const inputs = Object.fromEntries([...arrays].map(([name, data]) => {
        const dims = rowShape.get(name)!.dims;
        return [name, { data, dims: k > 1 ? [set.size, k, ...dims] : [set.size, ...dims] }];
      }));
      cached.push(arrayData(inputs, labels as number[] | bigint[], k));
    }
    return { model: typedSuffix(split, options.model, rowShape), sets: cached, bytes };
  } finally {
    await session.release();
  }
}

/** The suffix with its inputs typed and shaped: the model's batch dimension, then the measured row shape. */
function typedSuffix(split: FrozenSplit, model: Model, rows: Map<string, { type: string; dims: number[] }>): Model {
  const batch: Dim = model.graph.inputs[0]?.shape?.[0] ?? null;
  const inputs = split.suffix.graph.inputs.map((i) => {
    const r = rows.get(i.name)!;
    return { name: i.name, elemType: CACHEABLE[r.type]!.elemType, shape: [batch, ...r.dims] };
  });
  return { ...split.suffix, graph: { ...split.suffix.graph, inputs }, proto: undefined };
}

function arrayType(a: NumericArray): string {
  return Object.entries(CACHEABLE).find(([, c]) => a instanceof c.array)?.[0] ?? 'unknown';
}

function sameDims(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The first `len` values agree within float rounding: a kernel may block a batch of 64 rows differently
 * from a single row, a row-mixing op (a mean over the batch) changes them outright.
 */
function sameRows(a: NumericArray, b: NumericArray, len: number): boolean {
  let scale = 0, diff = 0;
  for (let i = 0; i < len; i++) {
    const x = Number(a[i]!), y = Number(b[i]!);
    scale = Math.max(scale, Math.abs(x));
    diff = Math.max(diff, Math.abs(x - y));
  }
  return diff <= 1e-5 * Math.max(scale, 1e-6);
}
