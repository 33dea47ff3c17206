// The files of one run folder, `.subnetwork-lens/runs/<id>/`, as the engine writes them and the CLI,
// the tree view and the webview read them. Plain JSON (no typed arrays, no bigint, no Map); a value
// that cannot be computed is `null`, never NaN.
//
//   run.json                               RunInfo: spec, versions, seeds, status, timings
//   results.json                           ResultsFile: scores, verdicts, accuracies, controls, overlap
//   results.csv                            one row per condition × test set × seed (RESULTS_CSV_COLUMNS)
//   masks/NAME/seed-K.safetensors          uint8 0/1 mask per masked initializer (maskFile())
//   masks/random-init/NAME/seed-K.safetensors   masks of the random-init control
//   report.html                            static report made from results.json alone
import type { AblationMode, ResolvedSpec } from './spec';

export const RESULTS_SCHEMA_VERSION = 1;

export type RunStatus = 'running' | 'complete' | 'cancelled' | 'failed';
export type Verdict = 'compositional' | 'not-compositional' | 'inconclusive' | 'uninformative';
/**
 * Why a verdict is `uninformative` (the run cannot tell): the full model is at chance on a subroutine's
 * test set, the subnetwork did not learn its own subroutine, or the size-matched random ablations and the
 * learned ablation leave every subroutine's test set at chance (the score null has no spread).
 */
export type UninformativeGate = 'full-model-at-chance' | 'subnetwork-did-not-learn' | 'random-ablations-at-chance';
/** What is evaluated: the intact model, only the subnetwork kept, or only the subnetwork removed. */
export type Condition = 'full' | 'subnetwork' | 'ablation';
/** A subroutine name or `task` (the compositional task's own test set). */
export type TestSetName = string;
export const TASK_TEST_SET = 'task';
/** Accuracy per test set. */
export type AccuracyByTestSet = Record<TestSetName, number>;
/** Which base model a mask was trained on. */
export type BaseVariant = 'trained' | 'random-init';

// ---------------------------------------------------------------- run.json

export interface RunVersions {
  subnetworkLens: string;
  onnxruntime: string;
  node: string;
  /** The onnxruntime execution provider the run's sessions used (absent in older runs: cpu). */
  executionProvider?: string;
}

export interface SubroutineTimings {
  /** Mask training (all seeds, including hyper-parameter search). */
  maskTrainingMs: number;
  /** Evaluations of full / subnetwork / ablation on every test set. */
  evaluationMs: number;
  /** Random ablations, ablation modes and the random-init control. */
  controlsMs: number;
}

export interface RunTimings {
  /** Wall-clock milliseconds from start to the last update. */
  totalMs: number;
  /**
   * Median milliseconds per mask-training step (forward + backward + update of one batch);
   * null before the first step.
   */
  maskStepMs: number | null;
  /** Mask-training steps taken so far. */
  maskSteps: number;
  perSubroutine: Record<string, SubroutineTimings>;
}

/** One unit of work of the protocol; a run is resumable at this granularity. */
export interface WorkItem {
  subroutine: string;
  seed: number;
  variant: BaseVariant;
}

/** sha256 (hex) of what a run was computed from; file maps are keyed by absolute path. */
export interface RunFingerprint {
  /** The resolved spec as canonical JSON (keys sorted). */
  spec: string;
  model: Record<string, string>;
  externalData: Record<string, string>;
  datasets: Record<string, string>;
}

export interface RunInfo {
  schemaVersion: number;
  /** Folder name of the run, e.g. `2025-01-31T12-00-00-ab12`. */
  id: string;
  /** The spec after validation and defaults (absolute paths). */
  spec: ResolvedSpec;
  /** Absolute path of the spec file. */
  specPath: string;
  /** Absolute path of the model file. */
  model: string;
  versions: RunVersions;
  seeds: number[];
  status: RunStatus;
  /** Set when status is `failed` (and for `cancelled`: the reason, if any). */
  error?: { name: string; message: string };
  /** ISO 8601 timestamps. */
  created: string;
  updated: string;
  timings: RunTimings;
  /** Work items finished and saved; a resumed run skips them. */
  done: WorkItem[];
  /** Number of work items the whole run has. */
  total: number;
  /** Absent in runs made before hashes were recorded. */
  fingerprint?: RunFingerprint;
  /** Settings the run changed to fit the model, e.g. the training batch of a model with a fixed batch. */
  notices?: string[];
  /**
   * Masked initializer → the PyTorch parameter it holds, for initializers the exporter renamed or transposed
   * (masks stay keyed by initializer name).
   */
  parameters?: Record<string, string>;
}

// ---------------------------------------------------------------- results.json

/** Across-seed summary of one number (a score, a kept fraction). */
export interface ScoreStats {
  n: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null when n < 2. */
  sd: number | null;
  /** 95 % confidence interval of the mean, t distribution with n − 1 degrees of freedom; null when n < 2. */
  ci95: [number, number] | null;
  /**
   * One-sample t-test of mean = 0: statistic, degrees of freedom, two-sided p.
   * Null when n < 2 or sd = 0 with mean = 0.
   */
  t: number | null;
  df: number | null;
  p: number | null;
}

/** Kept and total element counts of one masked initializer. */
export interface LayerCount {
  kept: number;
  total: number;
}

export interface MaskTrainingInfo {
  steps: number;
  /** Loss and train accuracy of the last epoch. */
  finalLoss: number | null;
  trainAccuracy: number | null;
  /** Final temperature β reached (checks the annealing really happened). */
  finalBeta: number | null;
  ms: number;
  /** Hyper-parameters used (chosen by the search when there was one). */
  hyperparameters: { init: number; lambda: number; lr: number; epochs: number };
  /** Validation subnetwork accuracy, when a validation set exists. */
  validationAccuracy?: number;
}

export interface SeedResult {
  seed: number;
  /** Kept elements / maskable elements, over all masked initializers. */
  keptFraction: number;
  kept: number;
  total: number;
  /** Per masked initializer (keyed by initializer name; these are ParameterInfo.name in the view model). */
  layers: Record<string, LayerCount>;
  accuracy: Record<Condition, AccuracyByTestSet>;
  subnetworkScore: number;
  ablationScore: number;
  /** Run-folder-relative path of the mask file (forward slashes). */
  mask: string;
  training: MaskTrainingInfo;
}

/** Size-matched random ablations of one seed's mask: per layer the same number of removed weights, drawn uniformly. */
export interface RandomAblationSeed {
  seed: number;
  /** Ablation score of the learned ablation (chance-floored, as SeedResult.ablationScore). */
  observedScore: number;
  /** Ablation score of every draw, floored at chance exactly as the observed one: the specificity null. */
  scores: number[];
  /** Specificity p of this seed: (1 + #draws with score ≤ observedScore) / (1 + draws). */
  p: number;
  /** Damage figure (not used by the verdict): accuracy of the learned ablation on the subroutine's own test set. */
  observed: number;
  /** One entry per draw: accuracy on every test set. */
  draws: AccuracyByTestSet[];
  /** Damage p: (1 + #draws with own-test accuracy ≤ observed) / (1 + draws). */
  damageP: number;
}

export interface RandomAblationResult {
  draws: number;
  perSeed: RandomAblationSeed[];
  /** How the per-seed specificity p-values are combined into `p`. */
  combination: 'fisher';
  /** Specificity p over seeds: Fisher's combination of the per-seed p. Null without draws. */
  p: number | null;
  /** `p` after Holm's correction across the subroutines of the run. */
  pAdjusted: number | null;
  /** Mean over seeds of the observed ablation score and mean over seeds and draws of the null's. */
  observedScoreMean: number | null;
  nullScoreMean: number | null;
  /** 2.5 % and 97.5 % quantiles of the null's ablation scores, pooled over seeds. */
  nullScoreRange: [number, number] | null;
  /** Damage figures: mean over seeds of the observed own-test ablation accuracy, mean of the null's. */
  observedMean: number | null;
  nullMean: number | null;
  /** Pooled damage p: draws paired by index across seeds, see statistics.pooledRandomAblationP. */
  damageP: number | null;
}

export interface SubroutineResult {
  /** Mean across seeds (null before any seed finished). */
  subnetworkScore: number | null;
  ablationScore: number | null;
  verdict: Verdict;
  /** One sentence naming the part of the rule that decided the verdict. */
  verdictReason: string;
  /** Set when the verdict is `uninformative`: which gate fired. */
  gate?: UninformativeGate;
  seeds: SeedResult[];
  stats: {
    subnetworkScore: ScoreStats;
    ablationScore: ScoreStats;
    keptFraction: ScoreStats;
  };
  randomAblation: RandomAblationResult;
}

/** Scores of masks trained on the re-initialised copy of the model. */
export interface RandomInitControl {
  subroutines: Record<string, {
    subnetworkScore: number | null;
    ablationScore: number | null;
    seeds: SeedResult[];
    stats: { subnetworkScore: ScoreStats; ablationScore: ScoreStats; keptFraction: ScoreStats };
  }>;
}

/** Ablation with another mode (the default mode's numbers are in SeedResult.accuracy.ablation). */
export interface AblationModeResult {
  seeds: { seed: number; accuracy: AccuracyByTestSet; ablationScore: number }[];
  stats: ScoreStats;
}

export interface ControlsResult {
  /** Absent when the spec turned it off. */
  randomInit?: RandomInitControl;
  /** Mode → subroutine → result. */
  ablationModes: Partial<Record<AblationMode, Record<string, AblationModeResult>>>;
}

/** Overlap of two binary masks over the same initializers. */
export interface OverlapStats {
  /** Elements compared. */
  size: number;
  keptA: number;
  keptB: number;
  intersection: number;
  /** |A ∪ B| = keptA + keptB − intersection. */
  union: number;
  keptFractionA: number;
  keptFractionB: number;
  /** |A ∩ B| / |A ∪ B|; null when both are empty. */
  iou: number | null;
  /** |A ∩ B| / min(|A|, |B|); null when either is empty. */
  ioMin: number | null;
}

export interface MaskRef {
  subroutine: string;
  seed: number;
}

export interface OverlapPair {
  a: MaskRef;
  b: MaskRef;
  total: OverlapStats;
  /** Keyed by initializer name. */
  layers: Record<string, OverlapStats>;
}

/** Means of IoU / IoMin over pairs, as square matrices over `names` (row/column order). */
export interface OverlapMatrix {
  names: string[];
  /**
   * Off-diagonal: subroutines i and j with the same seed, averaged over seeds. Diagonal: all seed pairs of one
   * subroutine (stability); null with one seed.
   */
  iou: (number | null)[][];
  ioMin: (number | null)[][];
  /** Per initializer, the same matrices (for a layer × pair heatmap). */
  layers: Record<string, { iou: (number | null)[][]; ioMin: (number | null)[][] }>;
}

export interface OverlapResult {
  /** Every pair of different subroutines with the same seed. */
  pairs: OverlapPair[];
  /** Subroutine → every pair of its seeds. */
  stability: Record<string, OverlapPair[]>;
  matrix: OverlapMatrix;
}

export interface ResultsFile {
  schemaVersion: number;
  runId: string;
  /** Subroutine names in spec order. */
  subroutineNames: string[];
  /** Test sets in display order: subroutines, then `task` if the spec has one. */
  testSets: TestSetName[];
  /** Chance accuracy c used as the score floor (1/k for odd-one-out, 1/classes for classify). */
  chance: number;
  /** Ablation mode behind `accuracy.ablation` and the scores. */
  ablationMode: AblationMode;
  /** True while some work items are missing (a running, cancelled or crashed run). */
  partial: boolean;
  subroutines: Record<string, SubroutineResult>;
  controls: ControlsResult;
  overlap: OverlapResult;
}

// ---------------------------------------------------------------- results.csv

/** Column order of results.csv. `condition` is full | subnetwork | ablation | random-ablation. */
export const RESULTS_CSV_COLUMNS = [
  'base', 'subroutine', 'seed', 'condition', 'ablationMode', 'draw', 'testSet', 'accuracy', 'chance', 'keptFraction',
] as const;
export type ResultsCsvRow = Record<(typeof RESULTS_CSV_COLUMNS)[number], string | number>;

// ---------------------------------------------------------------- layout

export const RUNS_DIR = '.subnetwork-lens/runs';
export const RUN_FILE = 'run.json';
export const RESULTS_FILE = 'results.json';
export const RESULTS_CSV_FILE = 'results.csv';
export const REPORT_FILE = 'report.html';

/** Run-folder-relative path of a mask file, with forward slashes. */
export function maskFile(subroutine: string, seed: number, variant: BaseVariant = 'trained'): string {
  return variant === 'trained'
    ? `masks/${subroutine}/seed-${seed}.safetensors`
    : `masks/random-init/${subroutine}/seed-${seed}.safetensors`;
}

/** `__metadata__` of a mask file (safetensors metadata values are strings). */
export interface MaskFileMetadata {
  subroutine: string;
  seed: string;
  variant: BaseVariant;
  method: string;
  granularity: string;
  keptFraction: string;
  [key: string]: string;
}
