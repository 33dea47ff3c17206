// A runnable copy of a model with one subnetwork's mask baked into its initializers: `keep-only` writes
// the pruned model (only the subnetwork's weights stay, the rest of each masked tensor is zero); `zero`,
// `mean` and `random-reinit` write the ablated model (the subnetwork's weights removed that way). The
// file is loaded back into onnxruntime and run on one batch before the call returns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  AblateMode, ExportFromFilesOptions, ExportFromRunOptions, ExportModelOptions, ExportModelResult, JobHooks,
} from '../shared/jobs';
import { maskFile, type RunInfo } from '../shared/results';
import { DataType, elementCount, type Model, type Tensor } from '../core/onnx/ir';
import { readModel } from '../core/onnx/readModel';
import { writeModel } from '../core/onnx/writeModel';
import { createSession, ort } from '../core/runtime/session';
import { applyMask, type Masks, type Weights } from '../core/masks/applyMask';
import { datasetAsTrainingData } from '../core/data/datasetAsTrainingData';
import { paddedRows, type Batch } from '../core/train/TrainingData';
import { toOrt } from '../core/train/toOrt';
import { TrainerError } from '../core/train/errors';
import { Rng } from '../core/util/random';
import { fixedBatchOf } from '../core/train/fixedBatch';
import { readMask } from '../core/runStore/readRun';
import type { MaskSet } from '../core/protocol/overlap';
import { DataError } from '../core/data/errors';
import { openModelData } from './modelData';

export async function exportModel(options: ExportModelOptions, hooks: JobHooks): Promise<ExportModelResult> {
  const { model, masks, batch, seed } = 'runDir' in options ? readFromRun(options, hooks) : readFromFiles(options);
  if (hooks.signal.aborted) throw new TrainerError('export cancelled');
  hooks.onProgress({ fraction: 0.5, message: `writing ${options.outPath}` });
  const result = await exportMaskedModel(model, new Map(Object.entries(masks)), {
    mode: options.mode, outPath: options.outPath, batch, seed,
  });
  hooks.onProgress({ fraction: 1, message: `wrote ${options.outPath}` });
  return result;
}

interface ExportInputs {
  model: Model;
  masks: MaskSet;
  batch?: Batch;
  seed?: number;
}

/** The run's model and saved mask, with one real batch from the run's first test set for the check run. */
function readFromRun(options: ExportFromRunOptions, hooks: JobHooks): ExportInputs {
  const run = JSON.parse(fs.readFileSync(path.join(options.runDir, 'run.json'), 'utf8')) as RunInfo;
  const { subroutine, seed } = options;
  const message = `reading ${path.basename(run.model)} and the mask of ${subroutine}, seed ${seed}`;
  hooks.onProgress({ fraction: 0, message });
  const model = readModel(run.model);
  const { masks } = readMask(path.join(options.runDir, maskFile(subroutine, seed)));
  const firstTest = Object.values(run.spec.subroutines)[0]?.test ?? run.spec.task?.test;
  let batch: Batch | undefined;
  if (firstTest && fs.existsSync(firstTest)) {
    const data = datasetAsTrainingData(firstTest, model, run.spec);
    try {
      // A model with a fixed batch runs exactly that many rows (the first rows repeated when the set is smaller).
      const fixed = fixedBatchOf(model, run.spec.head);
      batch = paddedRows(data, Uint32Array.from({ length: Math.min(fixed ?? 8, data.size) }, (_, i) => i), fixed);
    } finally {
      data.dataset.close();
    }
  }
  return { model, masks, batch, seed };
}

/** A model file and a mask file (checked against each other), with the first rows of `data` for the check run. */
function readFromFiles(options: ExportFromFilesOptions): ExportInputs {
  const model = readModel(options.modelPath);
  const { masks, shapes } = readMask(options.maskPath);
  for (const [name, shape] of Object.entries(shapes)) {
    const dims = model.graph.initializers.get(name)?.dims;
    if (dims && (dims.length !== shape.length || dims.some((d, i) => d !== shape[i]))) {
      const problem = `mask shape [${shape.join(', ')}] is not the initializer's shape [${dims.join(', ')}]`;
      throw new DataError(problem, options.maskPath, name);
    }
  }
  let batch: Batch | undefined;
  if (options.data) {
    const data = openModelData(options.data.path, model, options.data.head);
    try {
      batch = data.rows(Uint32Array.from({ length: Math.min(8, data.size) }, (_, i) => i));
    } finally {
      data.dataset.close();
    }
  }
  return { model, masks, batch, seed: options.seed };
}

export interface ExportMaskedOptions {
  mode: AblateMode;
  outPath: string;
  /** Inputs for the check run; default: one example drawn from the declared input shapes. */
  batch?: Batch;
  /** Seed of the `random-reinit` draws. */
  seed?: number;
}

/**
 * Writes `model` with `masks` applied (see the file comment), runs it once in onnxruntime,
 * and counts the changed weights.
 */
export async function exportMaskedModel(
  model: Model,
  masks: Masks,
  options: ExportMaskedOptions,
): Promise<ExportModelResult> {
  const weights: Weights = new Map();
  for (const [name, m] of masks) {
    const t = model.graph.initializers.get(name);
    if (!t) throw new TrainerError(`the mask names '${name}', which is not an initializer of the model`);
    if (t.dataType !== DataType.FLOAT) throw new TrainerError(`the mask covers '${name}', which is not float32`);
    if (elementCount(t.dims) !== m.length) {
      throw new TrainerError(`the mask of '${name}' has ${m.length} elements; `
        + `the initializer has ${elementCount(t.dims)} ([${t.dims.join(', ')}])`);
    }
    weights.set(name, t.data as Float32Array);
  }
  const keep = options.mode === 'keep-only';
  const rng = Rng.derive(options.seed ?? 0, 'export', options.mode);
  const removal = keep ? 'zero' : options.mode as Exclude<AblateMode, 'keep-only'>;
  const applied = applyMask(weights, masks, keep, removal, rng);
  let changed = 0, total = 0;
  const initializers = new Map(model.graph.initializers);
  for (const [name, m] of masks) {
    for (let i = 0; i < m.length; i++) if ((m[i] === 1) !== keep) changed++;
    total += m.length;
    const t = initializers.get(name)!;
    const replaced: Tensor = { ...t, data: applied.get(name)!, proto: undefined, external: undefined };
    initializers.set(name, replaced);
  }
  const out: Model = { ...model, graph: { ...model.graph, initializers } };
  let bytes = 0;
  for (const t of initializers.values()) bytes += (t.data as { byteLength?: number }).byteLength ?? 0;
  const outPath = path.resolve(options.outPath);
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  // Protobuf caps a message at 2 GiB: big models keep their weights in a side file.
  const external = bytes > 1.5 * 2 ** 30 ? { externalData: { location: `${path.basename(outPath)}.data` } } : {};
  writeModel(outPath, out, external);
  await checkRuns(outPath, readModel(outPath), options.batch);
  return { outPath, changedWeights: changed, maskedWeights: total };
}

/** Loads the written file in onnxruntime and runs one batch; every float output must be finite. */
async function checkRuns(file: string, model: Model, batch: Batch | undefined): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await createSession(model, { threads: 1 });
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    throw new TrainerError(`the exported model ${file} does not load in onnxruntime: ${reason}`);
  }
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of model.graph.inputs) {
      const a = batch?.inputs[input.name];
      feeds[input.name] = a ? toOrt(a.data, a.dims) : syntheticInput(input.name, input.elemType, input.shape);
    }
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await session.run(feeds);
    } catch (e) {
      const reason = (e as Error).message.split('\n')[0];
      throw new TrainerError(`the exported model ${file} fails to run in onnxruntime: ${reason}`);
    }
    for (const [name, v] of Object.entries(out)) {
      const t = v as ort.Tensor;
      const isFloat = t.type === 'float32' || t.type === 'float64';
      if (isFloat && !(t.data as Float32Array).every((x) => Number.isFinite(x))) {
        throw new TrainerError(`the exported model ${file} produces non-finite values in output '${name}'`);
      }
    }
  } finally {
    await session.release();
  }
}

/**
 * One example from the declared shape (symbolic or unknown sizes → 1):
 * normal floats, zero integers, false booleans.
 */
function syntheticInput(name: string, elemType: number, shape: (number | string | null)[] | null): ort.Tensor {
  if (shape === null) {
    throw new TrainerError(`input '${name}' has no declared shape; pass a batch to check the exported model`);
  }
  const dims = shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const n = dims.reduce((a, b) => a * b, 1);
  const rng = new Rng(0);
  switch (elemType) {
    case DataType.FLOAT: return new ort.Tensor('float32', Float32Array.from({ length: n }, () => rng.normal()), dims);
    case DataType.DOUBLE: return new ort.Tensor('float64', Float64Array.from({ length: n }, () => rng.normal()), dims);
    case DataType.INT64: return new ort.Tensor('int64', new BigInt64Array(n), dims);
    case DataType.INT32: return new ort.Tensor('int32', new Int32Array(n), dims);
    case DataType.BOOL: return new ort.Tensor('bool', new Uint8Array(n), dims);
    default:
      throw new TrainerError(`input '${name}' has element type ${elemType}; pass a batch to check the exported model`);
  }
}

