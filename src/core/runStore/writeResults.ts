// Writes the files of a run folder atomically (temp file + rename): run.json, results.json,
// results.csv, report.html and the mask files. Readers never see a half-written file.
import * as path from 'node:path';
import {
  maskFile, REPORT_FILE, RESULTS_CSV_COLUMNS, RESULTS_CSV_FILE, RESULTS_FILE, RUN_FILE,
  type BaseVariant, type ResultsCsvRow, type ResultsFile, type RunInfo, type SeedResult,
} from '../../shared/results';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { writeSafetensors } from '../data/writeSafetensors';

/** JSON without NaN/Infinity (written as null), two-space indented. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

export function writeRunInfo(dir: string, run: RunInfo): void {
  writeFileAtomic(path.join(dir, RUN_FILE), toJson({ ...run, updated: new Date().toISOString() }));
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per base × subroutine × seed × condition (× ablation mode × random draw) × test set. */
export function resultsCsv(results: ResultsFile): string {
  const rows: ResultsCsvRow[] = [];
  const chance = results.chance;
  const seedRows = (base: BaseVariant, sub: string, s: SeedResult) => {
    for (const condition of ['full', 'subnetwork', 'ablation'] as const) {
      for (const [testSet, acc] of Object.entries(s.accuracy[condition])) {
        rows.push({
          base, subroutine: sub, seed: s.seed, condition,
          ablationMode: condition === 'ablation' ? results.ablationMode : '', draw: '',
          testSet, accuracy: acc, chance, keptFraction: s.keptFraction,
        });
      }
    }
  };
  for (const [sub, r] of Object.entries(results.subroutines)) {
    for (const s of r.seeds) seedRows('trained', sub, s);
    for (const ps of r.randomAblation.perSeed) {
      const kept = r.seeds.find((s) => s.seed === ps.seed)?.keptFraction ?? '';
      ps.draws.forEach((d, k) => {
        for (const [testSet, acc] of Object.entries(d)) {
          rows.push({
            base: 'trained', subroutine: sub, seed: ps.seed, condition: 'random-ablation',
            ablationMode: results.ablationMode, draw: k, testSet, accuracy: acc, chance, keptFraction: kept,
          });
        }
      });
    }
  }
  for (const [mode, bySub] of Object.entries(results.controls.ablationModes)) {
    if (mode === results.ablationMode) continue;
    for (const [sub, r] of Object.entries(bySub ?? {})) {
      for (const s of r.seeds) {
        const kept = results.subroutines[sub]?.seeds.find((x) => x.seed === s.seed)?.keptFraction ?? '';
        for (const [testSet, acc] of Object.entries(s.accuracy)) {
          rows.push({
            base: 'trained', subroutine: sub, seed: s.seed, condition: 'ablation', ablationMode: mode, draw: '',
            testSet, accuracy: acc, chance, keptFraction: kept,
          });
        }
      }
    }
  }
  for (const [sub, r] of Object.entries(results.controls.randomInit?.subroutines ?? {})) {
    for (const s of r.seeds) seedRows('random-init', sub, s);
  }
  const lines = [RESULTS_CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(RESULTS_CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return lines.join('\n') + '\n';
}

/** results.json, results.csv and report.html (`report` is rendered by the caller from results.json and run.json). */
export function writeResults(dir: string, results: ResultsFile, report: string): void {
  writeFileAtomic(path.join(dir, RESULTS_FILE), toJson(results));
  writeFileAtomic(path.join(dir, RESULTS_CSV_FILE), resultsCsv(results));
  writeFileAtomic(path.join(dir, REPORT_FILE), report);
}

/** A binary mask per initializer: any non-zero entry is kept (stored as 1). */
export type MaskTensors = Record<string, { shape: number[]; data: Uint8Array }>;

/** Writes masks/NAME/seed-K.safetensors (uint8 0/1 keyed by initializer name); returns the run-relative path. */
export function writeMask(
  dir: string, subroutine: string, seed: number, masks: MaskTensors, metadata: Record<string, string> = {},
  variant: BaseVariant = 'trained',
): string {
  const rel = maskFile(subroutine, seed, variant);
  const arrays = Object.fromEntries(Object.entries(masks).map(([name, m]) => [
    name, { dtype: 'uint8' as const, shape: m.shape, data: m.data.map((v) => (v ? 1 : 0)) },
  ]));
  writeSafetensors(path.join(dir, rel), arrays, { subroutine, seed: String(seed), variant, ...metadata });
  return rel;
}
