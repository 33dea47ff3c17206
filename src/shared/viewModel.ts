// What the webview draws. Made by the engine (src/core), sent by the host, rendered by webview/.
// Plain JSON: no ONNX objects, no typed arrays.

import type { Verdict } from './results';

export type ViewDim = number | string | null;

/** A parameter tensor folded into the op node that consumes it. */
export interface ParameterInfo {
  name: string;
  shape: number[];
  dataType: string;
  count: number;
  /** Float and rank >= 2 by default: eligible for masking. */
  maskable: boolean;
  /** Where the values live: a graph initializer or a Constant node folded into this op. */
  source?: 'initializer' | 'constant';
  /** Name the op reads it under when that differs from `name` (an Identity chain in between). */
  alias?: string;
  /** The PyTorch parameter it holds when that is not `name`, e.g. `m.score.weight (transposed, stored as val_307)`. */
  parameter?: string;
  /** Why a float matrix is not maskable (a constant the exporter computed, not a parameter). */
  notMaskable?: string;
}

export interface TensorRef {
  name: string;
  shape: ViewDim[] | null;
  dataType: string;
}

export interface LayerNode {
  /** Unique: the ONNX node name (made unique when the file repeats or omits names). */
  id: string;
  /** Short display label: last segment of the node name, or the op type. */
  label: string;
  opType: string;
  domain: string;
  /** Innermost name-scope group: `/`-separated scopes of the node name, or the exporter's module path. */
  group?: string;
  attributes: Record<string, string>;
  inputs: TensorRef[];
  outputs: TensorRef[];
  parameters: ParameterInfo[];
  /** Elements of the float parameters folded into this node (shared tensors count in every consumer). */
  parameterCount: number;
  /** Number of subgraph attributes (If/Loop/Scan bodies); absent when none. */
  subgraphs?: number;
}

/** An activation tensor flowing from one op node to another (or from a graph input / to a graph output). */
export interface LayerEdge {
  id: string;
  source: string;
  target: string;
  tensor: string;
  shape: ViewDim[] | null;
}

/** A name scope, e.g. `/encoder/layer.0/attention`; nested via `parent`. */
export interface LayerGroup {
  id: string;
  label: string;
  parent?: string;
  nodeCount: number;
  parameterCount: number;
}

export interface LayerGraphView {
  model: {
    name: string;
    irVersion: number;
    opset: number;
    producer: string;
    /** Elements of all float parameter tensors (each tensor counted once). */
    parameterCount: number;
    /** Number of maskable tensors. */
    maskableCount: number;
    /** Elements of the maskable tensors. */
    maskableParameterCount?: number;
  };
  /** Graph inputs and outputs appear as nodes with opType 'Input' / 'Output'. */
  nodes: LayerNode[];
  edges: LayerEdge[];
  groups: LayerGroup[];
}

// ---------------------------------------------------------------- run overlay
// (built by src/core/views/buildOverlayView.ts)
//
// Membership patterns: with N subnetworks, every masked element has a pattern p in [0, 2^N): bit i
// set when subnetworks[i] keeps it. Counting elements per pattern lets the webview derive kept
// fractions, intersections and exclusive parts for any set of toggled subnetworks and any seed
// choice without the masks themselves.

/** One subroutine's subnetwork. */
export interface SubnetworkOverlay {
  /** Subroutine name. */
  id: string;
  label: string;
  /** Index into the webview's colour-blind-safe palette (Okabe–Ito order). */
  color: number;
  /** Seeds that have a mask (indices into OverlayView.seeds). */
  seedIndices: number[];
  /** Kept / maskable over the whole model, mean over seeds; null without masks. */
  keptFraction: number | null;
}

/** Mask statistics of one op node (sum over its masked parameter tensors). */
export interface NodeOverlay {
  /** Masked elements of the node (the same in every seed). */
  total: number;
  /** bySeed[s][p]: elements with membership pattern p in seed OverlayView.seeds[s]. */
  bySeed: number[][];
  /**
   * atLeast[k - 1][p]: elements with pattern p when "kept by X" means kept in at least a fraction
   * k / S of X's seeds (S = OverlayView.seeds.length): inclusion frequency ≥ k / S.
   */
  atLeast: number[][];
  /**
   * Per masked parameter tensor: elements and mean-over-seeds kept count per subnetwork
   * (same order as subnetworks).
   */
  parameters: { name: string; total: number; kept: number[] }[];
}

export interface AccuracyCell {
  mean: number | null;
  sd: number | null;
  bySeed: number[];
}

/** One row of the ablation matrix: the intact model, or mask i kept (subnetwork) / removed (ablation). */
export interface AblationRow {
  /** Subroutine whose mask is applied; null for the intact model. */
  mask: string | null;
  condition: 'full' | 'subnetwork' | 'ablation';
  /** Keyed by test set. */
  accuracy: Record<string, AccuracyCell>;
}

export interface ScoreCell {
  mean: number | null;
  ci95: [number, number] | null;
  p: number | null;
  n: number;
}

/** Scores, verdict and controls of one subroutine. */
export interface SubroutineScoreView {
  subroutine: string;
  subnetworkScore: ScoreCell;
  ablationScore: ScoreCell;
  keptFraction: ScoreCell;
  verdict: Verdict;
  verdictReason: string;
  /**
   * Size-matched random ablations: the observed ablation score vs the null's mean, the specificity p (Fisher
   * over seeds) and Holm-adjusted across subroutines; the damage figure (own-test accuracy vs the null's).
   */
  randomAblation: {
    observedScore: number | null; nullScore: number | null; p: number | null; pAdjusted: number | null;
    observed: number | null; nullMean: number | null; draws: number;
  };
  /** Scores of masks trained on the randomly re-initialised model; null when the control was off. */
  randomInit: { subnetworkScore: number | null; ablationScore: number | null } | null;
  /** Mean ablation score per other ablation mode (zero / mean / random-reinit). */
  ablationModes: Record<string, number | null>;
}

export interface AblationView {
  testSets: string[];
  chance: number;
  ablationMode: string;
  /** True while some work items are missing. */
  partial: boolean;
  rows: AblationRow[];
  scores: SubroutineScoreView[];
}

export interface OverlayView {
  runId: string;
  subnetworks: SubnetworkOverlay[];
  /** Seeds in ascending order; bySeed indices refer to this list. */
  seeds: number[];
  /** Keyed by LayerNode.id; only nodes with masked parameters. */
  nodes: Record<string, NodeOverlay>;
  /** The same counts over every masked initializer once (a tensor shared by two nodes counts once). */
  model: NodeOverlay;
  /** Masked initializers no node of the graph consumes (a mask/model mismatch worth showing). */
  unmatched: string[];
  /** Across-seed stability per subnetwork (mean IoU / IoMin between its seeds); null with one seed. */
  stability: { iou: (number | null)[]; ioMin: (number | null)[] };
  ablation: AblationView | null;
}
