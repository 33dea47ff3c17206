// Work-item records -> results.json and results.csv rows. Pure: no I/O.
import type {
  AblationModeResult, ControlsResult, ResultsFile,
  SeedResult, SubroutineResult,
} from '../../shared/results';
import { RESULTS_SCHEMA_VERSION, maskFile } from '../../shared/results';
import type { AblationMode, ResolvedSpec } from '../../shared/spec';
import { computeOverlap, type MaskSet } from './overlap';
import { conditionScore } from './scores';
import { describeScores, holmAdjust } from './statistics';
import { summarizeSubroutine, type SubroutineSummary } from './summarizeSubroutine';
import { decideVerdict } from './verdict';
import type { WorkItemRecord } from './runWorkItem';

export interface AssembleInput {
  runId: string;
  spec: ResolvedSpec;
  chance: number;
  testSets: string[];
  items: WorkItemRecord[];
  /** Total work items the run has; fewer records = partial. */
  total: number;
}

export function seedResult(item: WorkItemRecord, spec: ResolvedSpec, chance: number): SeedResult {
  const names = Object.keys(spec.subroutines);
  const layers: SeedResult['layers'] = {};
  let kept = 0, total = 0;
  for (const [name, m] of item.masks) {
    let k = 0;
    for (let i = 0; i < m.length; i++) k += m[i]!;
    layers[name] = { kept: k, total: m.length };
    kept += k; total += m.length;
  }
  return {
    seed: item.seed, kept, total, keptFraction: total ? kept / total : 0, layers, accuracy: item.accuracy,
    subnetworkScore: conditionScore(item.accuracy.subnetwork, item.subroutine, names, chance),
    ablationScore: conditionScore(item.accuracy.ablation, item.subroutine, names, chance),
    mask: maskFile(item.subroutine, item.seed, item.variant),
    training: item.training,
  };
}

export function assembleResults(input: AssembleInput): ResultsFile {
  const { spec, chance, items } = input;
  const names = Object.keys(spec.subroutines);
  const [primary, ...otherModes] = spec.controls.ablationModes as [AblationMode, ...AblationMode[]];
  const summaries: Record<string, SubroutineSummary> = {};
  const ablationModes: ControlsResult['ablationModes'] = {};
  const randomInit: NonNullable<ControlsResult['randomInit']> = { subroutines: {} };
  const overlapMasks: Record<string, Record<number, MaskSet>> = {};
  for (const name of names) {
    const own = items.filter((i) => i.subroutine === name && i.variant === 'trained').sort((a, b) => a.seed - b.seed);
    const seeds = own.map((i) => seedResult(i, spec, chance));
    overlapMasks[name] = Object.fromEntries(own.map((i) => [i.seed, Object.fromEntries(i.masks)]));
    summaries[name] = summarizeSubroutine(name, seeds, own.map((i) => i.randomDraws), names, chance);
    for (const mode of otherModes) {
      const rows = own.filter((i) => i.modes[mode]).map((i) => ({ seed: i.seed, accuracy: i.modes[mode]!,
        ablationScore: conditionScore(i.modes[mode]!, name, names, chance) }));
      const perMode: AblationModeResult = { seeds: rows, stats: describeScores(rows.map((r) => r.ablationScore)) };
      (ablationModes[mode] ??= {})[name] = perMode;
    }
    const ctrl = items.filter((i) => i.subroutine === name && i.variant === 'random-init')
      .sort((a, b) => a.seed - b.seed).map((i) => seedResult(i, spec, chance));
    if (spec.controls.randomInit) {
      const cs = { subnetworkScore: describeScores(ctrl.map((s) => s.subnetworkScore)),
        ablationScore: describeScores(ctrl.map((s) => s.ablationScore)),
        keptFraction: describeScores(ctrl.map((s) => s.keptFraction)) };
      randomInit.subroutines[name] = { subnetworkScore: cs.subnetworkScore.mean, ablationScore: cs.ablationScore.mean,
        seeds: ctrl, stats: cs };
    }
  }
  // Holm's correction across the subroutines of the run, then each verdict.
  const adjusted = holmAdjust(names.map((n) => summaries[n]!.randomAblation.p));
  const subroutines: Record<string, SubroutineResult> = {};
  names.forEach((name, i) => {
    const s = summaries[name]!;
    const summary = { ...s, randomAblation: { ...s.randomAblation, pAdjusted: adjusted[i]! } };
    const decision = decideVerdict({ name, subroutines: names, chance, summary, settings: spec.verdict });
    subroutines[name] = { ...summary, ...decision };
  });
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION, runId: input.runId, subroutineNames: names, testSets: input.testSets, chance,
    ablationMode: primary, partial: items.length < input.total, subroutines,
    controls: { ...(spec.controls.randomInit ? { randomInit } : {}), ablationModes },
    overlap: computeOverlap(overlapMasks, names),
  };
}
