// Layer graph + a run's masks (+ results.json) -> the overlay view model the webview draws:
// per op node and membership pattern (which subnetworks keep an element) the element counts, per
// seed and per inclusion-frequency threshold; the ablation matrix, scores, verdicts and controls.
// Pure: the caller reads the mask files (src/core/runStore/readRun.ts) and passes plain arrays.
import type { ResultsFile, ScoreStats, SeedResult } from '../../shared/results';
import type { AblationRow, AblationView, AccuracyCell, LayerGraphView, NodeOverlay, OverlayView, ScoreCell,
  SubnetworkOverlay, SubroutineScoreView } from '../../shared/viewModel';

/** Subroutine → seed → initializer name → flat 0/1 mask (any non-zero element counts as kept). */
export type RunMasks = Map<string, Map<number, Map<string, Uint8Array>>>;

export interface OverlayInput {
  graph: LayerGraphView;
  masks: RunMasks;
  results?: ResultsFile | null;
  runId?: string;
}

/** At most this many subnetworks (membership patterns are 2^N counters per node and seed). */
export const MAX_SUBNETWORKS = 8;

export class OverlayError extends Error {
  override readonly name = 'OverlayError';
  constructor(message: string, readonly initializer?: string) {
    super(message);
  }
}

export function buildOverlayView(input: OverlayInput): OverlayView {
  const { graph, masks, results } = input;
  const names = subroutineOrder(masks, results);
  if (names.length > MAX_SUBNETWORKS) throw new OverlayError(
    `buildOverlayView: ${names.length} subnetworks (${names.join(', ')}); at most ${MAX_SUBNETWORKS} can be overlaid`);
  const seeds = [...new Set(names.flatMap((n) => [...(masks.get(n)?.keys() ?? [])]))].sort((a, b) => a - b);
  const N = names.length;
  const S = seeds.length;
  const P = 1 << N;

  // Per subnetwork and seed index: the mask set (or undefined when that seed is missing).
  const sets: (Map<string, Uint8Array> | undefined)[][] = names.map((n) => seeds.map((s) => masks.get(n)?.get(s)));
  const seedCount = sets.map((row) => row.filter(Boolean).length);

  // Element count of every masked initializer, checked for agreement across subnetworks and seeds.
  const sizes = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    for (let s = 0; s < S; s++) {
      for (const [name, m] of sets[i]![s] ?? []) {
        const known = sizes.get(name);
        if (known !== undefined && known !== m.length) {
          throw new OverlayError(`buildOverlayView: the mask of '${name}' has ${m.length} elements in ` +
            `${names[i]}/seed-${seeds[s]} but ${known} elsewhere`, name);
        }
        sizes.set(name, m.length);
      }
    }
  }

  const perParam = new Map<string, ParamCounts>();
  const countsOf = (name: string): ParamCounts => {
    let c = perParam.get(name);
    if (!c) {
      c = countParameter(name, sizes.get(name)!, sets, seedCount, S, P);
      perParam.set(name, c);
    }
    return c;
  };

  const sum = (paramNames: string[]): NodeOverlay => {
    const overlay: NodeOverlay = {
      total: 0,
      bySeed: seeds.map(() => new Array<number>(P).fill(0)),
      atLeast: seeds.map(() => new Array<number>(P).fill(0)),
      parameters: [],
    };
    for (const name of paramNames) {
      const c = countsOf(name);
      overlay.total += c.total;
      addInto(overlay.bySeed, c.bySeed);
      addInto(overlay.atLeast, c.atLeast);
      overlay.parameters.push({ name, total: c.total, kept: c.meanKept });
    }
    return overlay;
  };

  const nodes: Record<string, NodeOverlay> = {};
  const consumed = new Set<string>();
  for (const node of graph.nodes) {
    const params = [...new Set(node.parameters.map((p) => p.name).filter((name) => sizes.has(name)))];
    if (params.length === 0) continue;
    for (const name of params) consumed.add(name);
    nodes[node.id] = sum(params);
  }
  const unmatched = [...sizes.keys()].filter((n) => !consumed.has(n)).sort();
  const model = sum([...sizes.keys()]);

  // Whole-model kept fraction per subnetwork (mean over its seeds), from the masks themselves.
  const grandTotal = [...sizes.values()].reduce((a, b) => a + b, 0);
  const subnetworks: SubnetworkOverlay[] = names.map((id, i) => {
    const seedIndices = seeds.map((_, s) => s).filter((s) => sets[i]![s]);
    let kept = 0;
    for (const name of sizes.keys()) kept += countsOf(name).meanKept[i]!;
    return { id, label: id, color: i, seedIndices,
      keptFraction: seedIndices.length && grandTotal ? kept / grandTotal : null };
  });

  const matrix = results?.overlap?.matrix;
  const diag = (m: (number | null)[][] | undefined) => names.map((n) => {
    const k = matrix ? matrix.names.indexOf(n) : -1;
    return k >= 0 ? m?.[k]?.[k] ?? null : null;
  });

  return {
    runId: input.runId ?? results?.runId ?? '',
    subnetworks,
    seeds,
    nodes,
    model,
    unmatched,
    stability: { iou: diag(matrix?.iou), ioMin: diag(matrix?.ioMin) },
    ablation: results ? ablationView(results, names) : null,
  };
}

interface ParamCounts {
  total: number;
  bySeed: number[][];
  atLeast: number[][];
  /** Mean over the subnetwork's seeds of the kept count, per subnetwork. */
  meanKept: number[];
}

function countParameter(name: string, total: number, sets: (Map<string, Uint8Array> | undefined)[][],
  seedCount: number[], S: number, P: number): ParamCounts {
  const N = sets.length;
  const arrays: (Uint8Array | undefined)[][] = sets.map((row) => row.map((m) => m?.get(name)));
  const bySeed = Array.from({ length: S }, () => new Array<number>(P).fill(0));
  const atLeast = Array.from({ length: S }, () => new Array<number>(P).fill(0));
  const keptSum = new Array<number>(N).fill(0);
  const times = new Array<number>(N).fill(0);
  for (let e = 0; e < total; e++) {
    times.fill(0);
    for (let s = 0; s < S; s++) {
      let pattern = 0;
      for (let i = 0; i < N; i++) {
        const m = arrays[i]![s];
        if (m && m[e] !== 0) {
          pattern |= 1 << i;
          times[i]!++;
        }
      }
      bySeed[s]![pattern]!++;
    }
    // Inclusion frequency times[i] / seedCount[i] >= k / S, for k = 1..S.
    for (let k = 1; k <= S; k++) {
      let pattern = 0;
      for (let i = 0; i < N; i++) if (seedCount[i]! > 0 && times[i]! * S >= k * seedCount[i]!) pattern |= 1 << i;
      atLeast[k - 1]![pattern]!++;
    }
    for (let i = 0; i < N; i++) keptSum[i]! += times[i]!;
  }
  const meanKept = keptSum.map((k, i) => (seedCount[i]! > 0 ? k / seedCount[i]! : 0));
  return { total, bySeed, atLeast, meanKept };
}

function addInto(into: number[][], from: number[][]): void {
  for (let s = 0; s < into.length; s++) for (let p = 0; p < into[s]!.length; p++) into[s]![p]! += from[s]![p]!;
}

function subroutineOrder(masks: RunMasks, results?: ResultsFile | null): string[] {
  const fromResults = results?.subroutineNames ?? [];
  const extra = [...masks.keys()].filter((n) => !fromResults.includes(n));
  return [...fromResults.filter((n) => masks.has(n) || results?.subroutines[n]), ...extra];
}

function cell(values: number[]): AccuracyCell {
  if (values.length === 0) return { mean: null, sd: null, bySeed: [] };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1
    ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : null;
  return { mean, sd, bySeed: values };
}

function scoreCell(stats: ScoreStats | undefined): ScoreCell {
  return { mean: stats?.mean ?? null, ci95: stats?.ci95 ?? null, p: stats?.p ?? null, n: stats?.n ?? 0 };
}

function ablationView(results: ResultsFile, names: string[]): AblationView {
  const testSets = results.testSets;
  const accuracyRow = (seedsOf: SeedResult[],
    condition: 'full' | 'subnetwork' | 'ablation'): Record<string, AccuracyCell> => {
    const out: Record<string, AccuracyCell> = {};
    for (const t of testSets) {
      out[t] = cell(seedsOf.map((s) => s.accuracy?.[condition]?.[t]).filter((v): v is number => typeof v === 'number'));
    }
    return out;
  };
  const subs = names.filter((n) => results.subroutines[n]);
  const rows: AblationRow[] = [];
  // The intact model is the same for every mask; its accuracy is recorded with each seed.
  rows.push({ mask: null, condition: 'full',
    accuracy: accuracyRow(subs.flatMap((n) => results.subroutines[n]!.seeds), 'full') });
  for (const n of subs)
    rows.push({ mask: n, condition: 'subnetwork', accuracy: accuracyRow(results.subroutines[n]!.seeds, 'subnetwork') });
  for (const n of subs)
    rows.push({ mask: n, condition: 'ablation', accuracy: accuracyRow(results.subroutines[n]!.seeds, 'ablation') });

  const scores: SubroutineScoreView[] = subs.map((n) => {
    const r = results.subroutines[n]!;
    const ri = results.controls?.randomInit?.subroutines[n];
    const ra = r.randomAblation;
    const modes: Record<string, number | null> = {};
    for (const [mode, perSub] of Object.entries(results.controls?.ablationModes ?? {})) {
      if (perSub && perSub[n]) modes[mode] = perSub[n]!.stats.mean;
    }
    return {
      subroutine: n,
      subnetworkScore: scoreCell(r.stats.subnetworkScore),
      ablationScore: scoreCell(r.stats.ablationScore),
      keptFraction: scoreCell(r.stats.keptFraction),
      verdict: r.verdict,
      verdictReason: r.verdictReason,
      randomAblation: {
        observedScore: ra.observedScoreMean ?? null, nullScore: ra.nullScoreMean ?? null,
        p: ra.p, pAdjusted: ra.pAdjusted ?? null, observed: ra.observedMean, nullMean: ra.nullMean, draws: ra.draws,
      },
      randomInit: ri ? { subnetworkScore: ri.subnetworkScore, ablationScore: ri.ablationScore } : null,
      ablationModes: modes,
    };
  });
  return { testSets, chance: results.chance, ablationMode: results.ablationMode,
    partial: results.partial, rows, scores };
}
