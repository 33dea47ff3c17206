// Batches as the trainer and evaluator consume them: arrays already in the model's flat layout
// (odd-one-out problems [P, k, …] flattened to [P·k, …]) plus one integer label per problem.

export type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export interface Batch {
  inputs: Record<string, { data: NumericArray; dims: number[] }>;
  /** Labels of the real rows; a padded batch has more input rows than labels. */
  labels: ArrayLike<number | bigint>;
  /** Rows (problems) the inputs hold when padded to a model's fixed batch; absent = `labels.length`. */
  paddedTo?: number;
}

/** Rows (problems) the model is fed for a batch, padding included. */
export function fedRows(batch: Batch): number {
  return batch.paddedTo ?? batch.labels.length;
}

/**
 * The rows at `indices`, followed by copies of the first row up to `size` rows when the model's batch is
 * fixed at `size`. Copies of a real row keep every op finite (an all-zero row can turn a softmax over a
 * masked attention into NaN); the head ignores them, since their one-hot rows are zero.
 */
export function paddedRows(
  data: TrainingData, indices: ArrayLike<number>, size: number | undefined, into?: Record<string, NumericArray>,
): Batch {
  if (size === undefined || indices.length === size) return data.rows(indices, into);
  if (indices.length > size || indices.length === 0) {
    throw new RangeError(`cannot pad ${indices.length} rows to a batch of ${size}`);
  }
  const all = new Uint32Array(size).fill(indices[0]!);
  for (let i = 0; i < indices.length; i++) all[i] = indices[i]!;
  const batch = data.rows(all, into);
  return { inputs: batch.inputs, labels: Array.prototype.slice.call(batch.labels, 0, indices.length), paddedTo: size };
}

/** Every row of `data` in order, `size` rows at a time; with `fixed`, `size` is that and the last chunk is padded. */
export function* chunksOf(data: TrainingData, size: number, fixed: number | undefined): Generator<Batch> {
  const step = fixed ?? size;
  for (let start = 0; start < data.size; start += step) {
    const n = Math.min(step, data.size - start);
    yield paddedRows(data, Uint32Array.from({ length: n }, (_, i) => start + i), fixed);
  }
}

export interface TrainingData {
  /** Number of labelled rows (problems, for odd-one-out). */
  size: number;
  /**
   * The rows at `indices`. `into` offers arrays of an earlier batch (by input name) to overwrite when
   * they have the right type and length: the training loop reuses them, because a fresh batch array
   * per step kept V8's allocator and collector busy on the cores onnxruntime computes on (measured:
   * the bench MLP step 5.6 → 8–9 ms).
   */
  rows(indices: ArrayLike<number>, into?: Record<string, NumericArray>): Batch;
}

export interface ArrayInput {
  data: NumericArray;
  /** Shape with the row axis first: [rows, …] (for odd-one-out [problems, k, …]). */
  dims: number[];
}

/**
 * In-memory rows. `stimuli` > 1 merges the second axis into the first when batching
 * (odd-one-out: [P, k, …] rows become [b·k, …] model inputs).
 */
export function arrayData(
  inputs: Record<string, ArrayInput>,
  labels: ArrayLike<number | bigint>,
  stimuli = 1,
): TrainingData {
  const size = labels.length;
  for (const [name, a] of Object.entries(inputs)) {
    if (a.dims[0] !== size) throw new RangeError(`array '${name}' has ${a.dims[0]} rows but there are ${size} labels`);
    if (stimuli > 1 && a.dims[1] !== stimuli) {
      throw new RangeError(`array '${name}' must be [problems, ${stimuli}, …]; its shape is [${a.dims.join(', ')}]`);
    }
  }
  return {
    size,
    rows(indices, into) {
      const out: Batch['inputs'] = {};
      for (const [name, a] of Object.entries(inputs)) {
        const rowLen = a.data.length / size;
        const Ctor = a.data.constructor as { new (n: number): NumericArray };
        const reuse = into?.[name];
        const data = reuse instanceof Ctor && reuse.length === indices.length * rowLen
          ? reuse
          : new Ctor(indices.length * rowLen);
        for (let i = 0; i < indices.length; i++) {
          const r = indices[i]!;
          const row = a.data.subarray(r * rowLen, (r + 1) * rowLen) as ArrayLike<unknown>;
          (data as { set(x: ArrayLike<unknown>, o: number): void }).set(row, i * rowLen);
        }
        const dims = stimuli > 1
          ? [indices.length * stimuli, ...a.dims.slice(2)]
          : [indices.length, ...a.dims.slice(1)];
        out[name] = { data, dims };
      }
      const labs = Array.from({ length: indices.length }, (_, i) => labels[indices[i]!]!);
      return { inputs: out, labels: labs };
    },
  };
}
