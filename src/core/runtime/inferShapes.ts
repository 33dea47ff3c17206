// Shape of every tensor in the main graph, measured by running the model once or twice in onnxruntime
// with every intermediate tensor added as a graph output (optimisations disabled so nothing is fused
// away). Symbolic input dimensions are filled with probe sizes; a dimension of a result that follows a
// probe size comes back as that symbol's name, one that changes in another way as null, and one that
// stays put as a number. This runs the model: only for files the user trusts (inferShapesStatically.ts
// reads shapes without running anything).
import { create } from '@bufbuild/protobuf';
import { ValueInfoProtoSchema } from 'onnx-buf';
import { createSession, ort } from './session';
import { ShapeInferenceError } from '../onnx/errors';
import { DataType, elementCount, type Dim, type Model, type ValueInfo } from '../onnx/ir';

export interface InferShapesOptions {
  /** Fix symbolic input dimensions by name (e.g. `{ batch: 64 }`): results carry the number, not the name. */
  batch?: Record<string, number>;
  /** Probe sizes of these symbolic dimensions are multiples of the given number (e.g. a group size). */
  multiples?: Record<string, number>;
  /**
   * Symbols tied to another one: `{ problems: { from: 'N', divide: 4 } }` probes `problems` as N / 4, so
   * the two can be probed with distinct sizes (and traced) although the model needs them to agree.
   */
  derived?: Record<string, { from: string; divide: number }>;
  /** Refuse to probe when the probe inputs of one run would take more bytes than this (default 1 GiB). */
  maxProbeBytes?: number;
}

/**
 * Probe inputs larger than this are not built: a declared dim of 10⁹ must not allocate gigabytes. Large
 * enough for the fixed-size inputs a model trained here has (training feeds batches of that size anyway).
 */
export const DEFAULT_MAX_PROBE_BYTES = 2 ** 30;

export interface TensorInfo {
  shape: Dim[];
  /** ONNX element type; 0 when unknown. */
  elemType: number;
}

/**
 * Shape of every graph input, initializer and main-graph node output. Tensors onnxruntime cannot
 * return (sequences, maps, optionals) are left out of the map.
 */
export async function inferShapes(model: Model, options: InferShapesOptions = {}): Promise<Map<string, Dim[]>> {
  const info = await inferTensorInfo(model, options);
  return new Map([...info].map(([name, t]) => [name, t.shape]));
}

/** How many times onnxruntime has been started to measure shapes in this process (read by tests). */
export const shapeProbes = { count: 0 };

/** Like `inferShapes`, with the element type of each tensor as well. */
export async function inferTensorInfo(
  model: Model,
  options: InferShapesOptions = {},
): Promise<Map<string, TensorInfo>> {
  const graph = model.graph;
  const pinned = options.batch ?? {};
  const symbols = collectSymbols(graph.inputs, pinned);
  const result = new Map<string, TensorInfo>();

  for (const input of graph.inputs) {
    result.set(input.name, {
      shape: input.shape!.map((d) => (typeof d === 'string' && d in pinned ? pinned[d]! : d)),
      elemType: input.elemType,
    });
  }
  for (const t of graph.initializers.values()) result.set(t.name, { shape: [...t.dims], elemType: t.dataType });

  const wanted = probeOutputs(model, result);
  if (wanted.length === 0) return result;
  const probeModel: Model = {
    ...model,
    graph: {
      ...graph,
      outputs: [...graph.outputs, ...wanted.filter((n) => !graph.outputs.some((o) => o.name === n)).map(untypedOutput)],
    },
  };

  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  shapeProbes.count++;
  try {
    // Failed probe runs are expected (the fallback handles them); keep onnxruntime's own log quiet.
    session = await createSession(probeModel, {
      threads: 1, overrides: { graphOptimizationLevel: 'disabled', logSeverityLevel: 4 },
    });
  } catch (e) {
    throw new ShapeInferenceError(`onnxruntime cannot load the model to measure tensor shapes: ${firstLine(e)}`);
  }
  try {
    const limits: ProbeLimits = {
      multiples: options.multiples ?? {},
      derived: options.derived ?? {},
      maxBytes: options.maxProbeBytes ?? DEFAULT_MAX_PROBE_BYTES,
    };
    const runs = await probeRuns(session, graph.inputs, symbols, pinned, wanted, limits);
    for (const name of wanted) {
      const a = runs.a.get(name);
      if (!a) continue;
      const b = runs.b?.get(name);
      result.set(name, { shape: mergeDims(a.dims, b?.dims, runs), elemType: a.elemType });
    }
  } finally {
    await session.release();
  }
  return result;
}

interface ProbeLimits {
  multiples: Record<string, number>;
  derived: Record<string, { from: string; divide: number }>;
  maxBytes: number;
}

interface Symbol {
  /** Symbol name, or null for an unnamed unknown dimension (each is its own symbol). */
  name: string | null;
}

interface ProbeRuns {
  a: Map<string, { dims: number[]; elemType: number }>;
  b?: Map<string, { dims: number[]; elemType: number }>;
  /** Probe sizes used per symbol in run a and run b. */
  symbols: Symbol[];
  valuesA: number[];
  valuesB: number[];
  /** True when every symbol got the same size (fallback), so a changed dim cannot be attributed. */
  uniform: boolean;
}

/**
 * One entry per distinct symbolic dim among the inputs; unnamed dims each count once.
 * Keys are `name` or `?input:index`.
 */
function collectSymbols(inputs: ValueInfo[], pinned: Record<string, number>): Map<string, Symbol> {
  const out = new Map<string, Symbol>();
  for (const input of inputs) {
    if (input.shape === null) {
      throw new ShapeInferenceError(
        `graph input '${input.name}' has no declared shape (unknown rank), so it cannot be probed`,
        input.name,
      );
    }
    input.shape.forEach((d, i) => {
      if (typeof d === 'number') return;
      if (typeof d === 'string' && d in pinned) return;
      const key = typeof d === 'string' && d !== '' ? d : `?${input.name}:${i}`;
      if (!out.has(key)) out.set(key, { name: typeof d === 'string' && d !== '' ? d : null });
    });
  }
  return out;
}

function symbolKey(input: ValueInfo, d: Dim, i: number): string {
  return typeof d === 'string' && d !== '' ? d : `?${input.name}:${i}`;
}

/** Ops whose outputs are sequences, maps or optionals: onnxruntime-node can only return tensors. */
const NON_TENSOR_OPS = new Set([
  'SequenceConstruct', 'SequenceEmpty', 'SequenceInsert', 'SequenceErase', 'SplitToSequence', 'SequenceMap',
  'Optional', 'OptionalGetElement', 'ZipMap', 'CastMap', 'DictVectorizer',
]);

function probeOutputs(model: Model, known: Map<string, TensorInfo>): string[] {
  const nonTensor = new Set(model.graph.valueInfo.filter((v) => v.proto?.type && v.elemType === 0).map((v) => v.name));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const node of model.graph.nodes) {
    const skip = NON_TENSOR_OPS.has(node.opType)
      && (node.domain === '' || node.domain === 'ai.onnx' || node.domain === 'ai.onnx.ml');
    for (const name of node.outputs) {
      if (!name || seen.has(name) || known.has(name) || skip || nonTensor.has(name)) continue;
      seen.add(name);
      out.push(name);
    }
  }
  return out;
}

/** A graph output with no declared type: onnxruntime takes the type it infers. */
export function untypedOutput(name: string): ValueInfo {
  return { name, elemType: 0, shape: null, proto: create(ValueInfoProtoSchema, { name }) };
}

async function probeRuns(
  session: Awaited<ReturnType<typeof ort.InferenceSession.create>>,
  inputs: ValueInfo[], symbols: Map<string, Symbol>, pinned: Record<string, number>, wanted: string[],
  limits: ProbeLimits,
): Promise<ProbeRuns> {
  const { multiples, derived } = limits;
  // Free symbols first: a dim that two symbols explain equally (a derived one with divide 1) is named after the
  // free one.
  const keys = [...symbols.keys()].sort((p, q) => Number(p in derived) - Number(q in derived));
  const list = keys.map((k) => symbols.get(k)!);
  const n = keys.length;
  const tie = (values: number[]) => keys.map((k, i) => {
    const d = derived[k];
    const from = d ? keys.indexOf(d.from) : -1;
    return d && from >= 0 ? values[from]! / d.divide : values[i]!;
  });
  const run = async (values: number[]) => {
    const size = new Map(keys.map((k, i) => [k, values[i]!]));
    const dimsOf = (input: ValueInfo) => input.shape!.map((d, i) => {
      if (typeof d === 'number') return d;
      return typeof d === 'string' && d in pinned ? pinned[d]! : size.get(symbolKey(input, d, i))!;
    });
    const bytesOf = (input: ValueInfo) => elementCount(dimsOf(input)) * (BYTES_PER_ELEMENT[input.elemType] ?? 8);
    const bytes = inputs.reduce((sum, input) => sum + bytesOf(input), 0);
    if (bytes > limits.maxBytes) {
      const sizes = `${formatBytes(bytes)}, over the cap of ${formatBytes(limits.maxBytes)}`;
      throw new ShapeInferenceError(`shapes not measured: the probe inputs would take ${sizes}`);
    }
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const input of inputs) feeds[input.name] = probeTensor(input, dimsOf(input));
    const results = await session.run(feeds, wanted);
    const out = new Map<string, { dims: number[]; elemType: number }>();
    for (const name of wanted) {
      const t = results[name];
      if (t) out.set(name, { dims: [...t.dims].map(Number), elemType: ORT_TYPE_TO_ONNX[t.type] ?? 0 });
    }
    return out;
  };
  if (n === 0) {
    try {
      return { a: await run([]), symbols: list, valuesA: [], valuesB: [], uniform: false };
    } catch (e) {
      if (e instanceof ShapeInferenceError) throw e;
      throw new ShapeInferenceError(`onnxruntime failed to run the model to measure tensor shapes: ${firstLine(e)}`);
    }
  }
  // Distinct sizes per symbol so a result dim can be traced to one symbol; fall back to one size for
  // all symbols when the model ties different symbols together (e.g. `seq` must equal `kv_seq`).
  const times = (k: string) => multiples[k] ?? 1;
  const distinctA = tie(keys.map((k, i) => (2 + i) * times(k)));
  const distinctB = tie(keys.map((k, i) => (2 + n + i) * times(k)));
  try {
    return {
      a: await run(distinctA), b: await run(distinctB), symbols: list,
      valuesA: distinctA, valuesB: distinctB, uniform: false,
    };
  } catch (first) {
    if (first instanceof ShapeInferenceError) throw first;
    const uniformA = tie(keys.map((k) => 2 * times(k)));
    const uniformB = tie(keys.map((k) => 3 * times(k)));
    try {
      return {
        a: await run(uniformA), b: await run(uniformB), symbols: list,
        valuesA: uniformA, valuesB: uniformB, uniform: n > 1,
      };
    } catch {
      const named = keys.filter((k) => !k.startsWith('?')).join(', ') || 'unnamed';
      throw new ShapeInferenceError(
        'onnxruntime failed to run the model with probe sizes for its symbolic dimensions '
          + `(${named}): ${firstLine(first)}`,
      );
    }
  }
}

function mergeDims(a: number[], b: number[] | undefined, runs: ProbeRuns): Dim[] {
  if (!b) return a;
  if (b.length !== a.length) return a.map(() => null);
  return a.map((da, i) => {
    const db = b[i]!;
    if (da === db) return da;
    if (runs.uniform) return null;
    const k = runs.valuesA.findIndex((v, j) => v === da && runs.valuesB[j] === db);
    return k >= 0 ? runs.symbols[k]!.name : null;
  });
}

const ORT_TYPE_TO_ONNX: Record<string, number> = {
  float32: DataType.FLOAT, float64: DataType.DOUBLE, float16: DataType.FLOAT16, bfloat16: DataType.BFLOAT16,
  int8: DataType.INT8, uint8: DataType.UINT8, int16: DataType.INT16, uint16: DataType.UINT16,
  int32: DataType.INT32, uint32: DataType.UINT32, int64: DataType.INT64, uint64: DataType.UINT64,
  bool: DataType.BOOL, string: DataType.STRING,
};

/** Floats get varied values in [-1, 1] (no zeros: avoids 0/0 and log 0); integers and bools are zero. */
function probeTensor(input: ValueInfo, dims: number[]): InstanceType<typeof ort.Tensor> {
  const count = elementCount(dims);
  const wave = (i: number) => Math.sin(i * 1.618 + 0.5) * 0.9 + 0.05;
  switch (input.elemType) {
    case DataType.FLOAT:
      return new ort.Tensor('float32', Float32Array.from({ length: count }, (_, i) => wave(i)), dims);
    case DataType.DOUBLE:
      return new ort.Tensor('float64', Float64Array.from({ length: count }, (_, i) => wave(i)), dims);
    case DataType.FLOAT16: return new ort.Tensor('float16', new Uint16Array(count).fill(0x3800), dims); // 0.5
    case DataType.INT64: return new ort.Tensor('int64', new BigInt64Array(count), dims);
    case DataType.UINT64: return new ort.Tensor('uint64', new BigUint64Array(count), dims);
    case DataType.INT32: return new ort.Tensor('int32', new Int32Array(count), dims);
    case DataType.UINT32: return new ort.Tensor('uint32', new Uint32Array(count), dims);
    case DataType.INT16: return new ort.Tensor('int16', new Int16Array(count), dims);
    case DataType.UINT16: return new ort.Tensor('uint16', new Uint16Array(count), dims);
    case DataType.INT8: return new ort.Tensor('int8', new Int8Array(count), dims);
    case DataType.UINT8: return new ort.Tensor('uint8', new Uint8Array(count), dims);
    case DataType.BOOL: return new ort.Tensor('bool', new Uint8Array(count), dims);
    case DataType.STRING: return new ort.Tensor('string', new Array<string>(count).fill(''), dims);
    default:
      throw new ShapeInferenceError(
        `graph input '${input.name}' has element type ${input.elemType}, which the shape probe cannot feed`,
        input.name,
      );
  }
}

const BYTES_PER_ELEMENT: Record<number, number> = {
  [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.FLOAT16]: 2, [DataType.BFLOAT16]: 2, [DataType.INT64]: 8,
  [DataType.UINT64]: 8, [DataType.INT32]: 4, [DataType.UINT32]: 4, [DataType.INT16]: 2, [DataType.UINT16]: 2,
  [DataType.INT8]: 1, [DataType.UINT8]: 1, [DataType.BOOL]: 1,
};

function formatBytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!.trim();
}
