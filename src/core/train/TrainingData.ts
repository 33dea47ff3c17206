// Batches as the trainer and evaluator consume them: arrays already in the model's flat layout
// (odd-one-out problems [P, k, …] flattened to [P·k, …]) plus one integer label per problem.

export type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export interface Batch {
  inputs: Record<string, { data: NumericArray; dims: number[] }>;
  labels: ArrayLike<number | bigint>;
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
export function arrayData(inputs: Record<string, ArrayInput>, labels: ArrayLike<number | bigint>, stimuli = 1): TrainingData {
  const size = labels.length;
  for (const [name, a] of Object.entries(inputs)) {
    if (a.dims[0] !== size) throw new RangeError(`array '${name}' has ${a.dims[0]} rows but there are ${size} labels`);
    if (stimuli > 1 && a.dims[1] !== stimuli) throw new RangeError(`array '${name}' must be [problems, ${stimuli}, …]; its shape is [${a.dims.join(', ')}]`);
  }
  return {
    size,
    rows(indices, into) {
      const out: Batch['inputs'] = {};
      for (const [name, a] of Object.entries(inputs)) {
        const rowLen = a.data.length / size;
        const Ctor = a.data.constructor as { new (n: number): NumericArray };
        const reuse = into?.[name];
        const data = reuse instanceof Ctor && reuse.length === indices.length * rowLen ? reuse : new Ctor(indices.length * rowLen);
        for (let i = 0; i < indices.length; i++) {
          const r = indices[i]!;
          (data as { set(x: ArrayLike<unknown>, o: number): void }).set(a.data.subarray(r * rowLen, (r + 1) * rowLen) as ArrayLike<unknown>, i * rowLen);
        }
        const dims = stimuli > 1 ? [indices.length * stimuli, ...a.dims.slice(2)] : [indices.length, ...a.dims.slice(1)];
        out[name] = { data, dims };
      }
      const labs = Array.from({ length: indices.length }, (_, i) => labels[indices[i]!]!);
      return { inputs: out, labels: labs };
    },
  };
}
