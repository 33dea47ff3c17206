// Long-running engine jobs as the extension, the worker process and the CLI see them.
import type { AblationMode, HeadSpec } from './spec';

/** One progress report from a running job. Fields beyond `message` are set when they apply. */
export interface ProgressEvent {
  /** Overall completion in [0, 1]. */
  fraction: number;
  message: string;
  subroutine?: string;
  seed?: number;
  phase?: 'generate' | 'pretrain' | 'train-base' | 'train-mask' | 'evaluate' | 'controls' | 'overlap' | 'report';
  step?: number;
  steps?: number;
  loss?: number;
  accuracy?: number;
  keptFraction?: number;
  beta?: number;
}

export interface JobHooks {
  onProgress(event: ProgressEvent): void;
  /** Aborting stops the job within one training step; what was saved stays consistent. */
  signal: AbortSignal;
  /** A note for the log that is not progress (e.g. why shapes were not measured). */
  onLog?(message: string): void;
}

/** Options of `subnetwork-lens find` and of the extension's Find subnetworks. */
export interface FindOptions {
  specPath: string;
  /** Run folder; default `.subnetwork-lens/runs/<id>/` in the spec's workspace. */
  outDir?: string;
  /** Workspace root that spec paths may not leave (default: the spec's folder). */
  workspaceRoot?: string;
  seeds?: number[];
  threads?: number;
  /** Continue a cancelled or crashed run in this folder. */
  resume?: string;
  /** Run only work items `index`, `index + count`, … of the plan (0 ≤ index < count); shards share one folder. */
  shard?: Shard;
  /** With `resume`: run no items, only assemble the results of those saved (`subnetwork-lens merge`). */
  assembleOnly?: boolean;
  /** onnxruntime execution provider: cpu (default), cuda, dml, coreml, webgpu, or auto (a GPU one if any, else cpu). */
  device?: 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'auto';
}

export interface Shard {
  index: number;
  count: number;
}

export interface FindResult {
  runDir: string;
  /** This job's outcome: for a shard, `complete` means its own items are done (see itemsLeft). */
  status: 'complete' | 'cancelled' | 'failed';
  /** Work items of the run not yet done (by other shards); 0 when the whole run is complete. */
  itemsLeft?: number;
}

/**
 * How `ablate` changes the subnetwork's weights: `zero`, `mean` (the tensor's mean) and `random-reinit`
 * (fresh draws from the tensor's own distribution) remove the subnetwork; `keep-only` removes everything
 * else in the masked tensors (the subnetwork condition).
 */
export type AblateMode = AblationMode | 'keep-only';

/**
 * Options of `ablate(options: AblateOptions, hooks: JobHooks): Promise<AblateResult>`
 * (src/jobs/ablate.ts): re-evaluates a saved mask under one ablation mode, no retraining.
 */
export interface AblateOptions {
  /** Run folder holding run.json and the masks. */
  runDir: string;
  subroutine: string;
  seed: number;
  mode: AblateMode;
  /** Test-set names as results.json names them (subroutine names, 'task'); undefined = all of the run's. */
  testSets?: string[];
  /** Size-matched random ablations (per layer) for a null distribution; 0 or undefined = none. */
  randomAblations?: number;
  threads?: number;
}

/** One test set under one ablation. Accuracies in [0, 1]. */
export interface AblateRow {
  testSet: string;
  examples: number;
  /** The intact model. */
  accuracyFull: number;
  /** With the requested mode applied. */
  accuracyAblated: number;
  /** Mean and standard deviation over the random ablations, when any were asked for. */
  randomMean?: number;
  randomStd?: number;
  /** Fraction of random ablations at least as damaging as the subnetwork's (one-sided). */
  pValue?: number;
}

export interface AblateResult {
  runDir: string;
  subroutine: string;
  seed: number;
  mode: AblateMode;
  /** Fraction of the masked weights the subnetwork keeps. */
  keptFraction: number;
  rows: AblateRow[];
  /** JSON file inside the run folder where the result was saved, if it was saved. */
  savedTo?: string;
}

/**
 * Options of `exportModel(options: ExportModelOptions, hooks: JobHooks): Promise<ExportModelResult>`
 * (src/jobs/exportModel.ts): writes a copy of a model with one subnetwork's mask applied, taken from a run
 * (the extension) or from a model file and a mask file (`subnetwork-lens export`).
 */
export type ExportModelOptions = ExportFromRunOptions | ExportFromFilesOptions;

interface ExportTarget {
  /** `keep-only` writes the pruned model (only the subnetwork); the others write the ablated model. */
  mode: AblateMode;
  /** Output .onnx path (absolute). */
  outPath: string;
}

/** The run's model and the mask it saved for one subroutine and seed (also the seed of random-reinit draws). */
export interface ExportFromRunOptions extends ExportTarget {
  runDir: string;
  subroutine: string;
  seed: number;
}

/** A model file and a mask file (one 0/1 uint8 tensor per masked initializer). */
export interface ExportFromFilesOptions extends ExportTarget {
  modelPath: string;
  maskPath: string;
  /** The dataset whose first rows the written model is run on (default: one example from the input shapes). */
  data?: { path: string; head: HeadSpec };
  /** Seed of random-reinit draws (default 0). */
  seed?: number;
}

export interface ExportModelResult {
  outPath: string;
  /** Weights set by the mask / all masked weights. */
  changedWeights: number;
  maskedWeights: number;
}
