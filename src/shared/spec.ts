// The task spec (`*.subnet.json`) after validation and defaults, as the engine, the CLI, the extension
// and the webview see it. Plain JSON. The JSON Schema is schemas/subnet.schema.json; the loader that
// resolves paths and applies defaults is src/core/data/loadSpec.ts.

export type MaskMethod = 'continuous-sparsification' | 'hard-concrete' | 'magnitude' | 'attribution';
export type AblationMode = 'zero' | 'mean' | 'random-reinit';
export type Granularity = 'weight' | 'unit';

/** How the scored output becomes a prediction. */
export type HeadSpec =
  | { type: 'classify' }
  /** Inputs are [problems, group, …]; the engine embeds each stimulus and picks the one least similar to the others. */
  | { type: 'odd-one-out'; group: number };

/** One subroutine's data files, as absolute paths inside the workspace. */
export interface SubroutineSpec {
  train: string;
  test: string;
  validation?: string;
}

export interface MaskSpec {
  method: MaskMethod;
  /**
   * Glob patterns over initializer names (`*` any run of characters, `?` one character). Empty include = every
   * maskable initializer (float, rank ≥ 2).
   */
  include: string[];
  exclude: string[];
  granularity: Granularity;
  /**
   * For `unit` granularity: the weight axis whose slices are units;
   * undefined = the output-feature axis of the consuming op.
   */
  axis?: number;
  /** Initial mask logit s0. */
  init: number;
  /** L1 penalty on sigmoid(β·s). */
  lambda: number;
  optimizer: 'adam';
  lr: number;
  epochs: number;
  batch: number;
  /** β annealed geometrically from start to end over the epochs. */
  temperature: [number, number];
  /** magnitude / attribution: fraction of each masked tensor's elements kept (default 0.1). */
  keep?: number;
  /** magnitude / attribution: rank within each tensor ('tensor', default) or across all masked tensors ('global'). */
  keepScope?: 'tensor' | 'global';
}

export interface ControlsSpec {
  /** Also train masks on a re-initialised copy of the model (same hyper-parameters). */
  randomInit: boolean;
  /** Number of size-matched (per layer) random ablations per subroutine × seed for the null distribution. */
  randomAblations: number;
  /** Ablation modes to evaluate; the first is the one the scores and verdict use. */
  ablationModes: AblationMode[];
  /** Seed of the random-init control's re-initialisation (default: the first mask seed). */
  randomInitSeed?: number;
}

/** Thresholds of the verdict rule (README, "Verdict rule"). */
export interface VerdictSpec {
  /** Significance level of the Holm-adjusted specificity p-value. */
  alpha: number;
  /** Gate (a): the subnetwork's accuracy on its own test set must reach this fraction of the full model's. */
  minSubnetworkAccuracy: number;
  /** An accuracy within this fraction of the above-chance range, c + nearChance·(1 − c), counts as at chance. */
  nearChance: number;
}

/** Hyper-parameter grid; selection uses validation subnetwork accuracy and sparsity only. */
export interface HyperparameterSearchSpec {
  init?: number[];
  lambda?: number[];
  lr?: number[];
  /** Epochs per trial (default: mask.epochs). */
  epochs?: number;
  /** Among trials whose validation subnetwork accuracy is within `tolerance` of the best, the sparsest wins. */
  tolerance: number;
}

/**
 * A spec file as written (`*.subnet.json`, before validation and defaults): paths relative to the spec's
 * folder, every section the schema has defaults for optional.
 */
export interface SpecFile {
  model: string;
  inputs?: Record<string, string>;
  output?: string;
  head?: HeadSpec;
  labels?: string;
  subroutines: Record<string, { train: string; test: string; validation?: string }>;
  task?: { test: string; train?: string };
  mask?: Partial<MaskSpec>;
  controls?: Partial<ControlsSpec>;
  seeds?: number[];
  verdict?: Partial<VerdictSpec>;
  hyperparameterSearch?: Partial<HyperparameterSearchSpec>;
}

export interface ResolvedSpec {
  /** Absolute path of the spec file. */
  specPath: string;
  /** Absolute path of the workspace root the paths may not leave. */
  workspaceRoot: string;
  /** Absolute path of the model. */
  model: string;
  /**
   * Model input name → dataset array name (every model input present).
   * Filled by the caller with the model's inputs when `{}`.
   */
  inputs: Record<string, string>;
  /** Output to score; undefined = the model's first output. */
  output?: string;
  head: HeadSpec;
  /** Name of the labels array in the datasets. */
  labels: string;
  subroutines: Record<string, SubroutineSpec>;
  /** The compositional task's own data (absolute paths). */
  task?: { test: string; train?: string };
  mask: MaskSpec;
  controls: ControlsSpec;
  seeds: number[];
  verdict: VerdictSpec;
  hyperparameterSearch?: HyperparameterSearchSpec;
}
