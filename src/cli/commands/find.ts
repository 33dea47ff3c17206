// `subnetwork-lens find SPEC [--out DIR] [--seeds 0,1,2] [--threads N] [--resume DIR] [--json]`
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCommandArgs, processIO, UsageError, type CliIO, type Command } from '../command';
import type { FindResult, ProgressEvent } from '../../shared/jobs';
import { RESULTS_FILE, type ResultsFile } from '../../shared/results';

export const find: Command = {
  name: 'find',
  summary: 'Train one mask per subroutine of a task spec, ablate, run the controls and save a run folder.',
  usage: [
    'Usage: subnetwork-lens find SPEC.subnet.json [--out DIR] [--seeds 0,1,2] [--threads N] [--resume DIR] [--json]',
    '',
    'Runs the structural-compositionality protocol of the spec: per subroutine and seed a trained mask,',
    'the subnetwork and ablation conditions on every test set, random ablations and the other controls.',
    'Progress goes to stderr; Ctrl-C stops within one training step and marks the run cancelled',
    '(continue it later with --resume). Prints a summary per subroutine and the run folder.',
    '',
    'Options:',
    '  --out DIR       Run folder (default: .subnetwork-lens/runs/<id> next to the spec).',
    '  --seeds LIST    Comma-separated seeds, overriding the spec\'s.',
    '  --threads N     onnxruntime intra-op threads (0 = one per core).',
    '  --resume DIR    Continue a cancelled or crashed run in DIR.',
    '  --json          Print {runDir, status, results, summary} as JSON on stdout.',
  ].join('\n'),
  async run(args: string[], io: CliIO = processIO): Promise<number> {
    const { values, positionals } = parseCommandArgs('find', args, {
      out: { type: 'string' },
      seeds: { type: 'string' },
      threads: { type: 'string' },
      resume: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'find needs a task spec (*.subnet.json)' : `find takes one spec file, got ${positionals.length}`, 'find');
    if (values.out && values.resume) throw new UsageError('--out and --resume cannot be combined (a resumed run stays in its folder)', 'find');
    const seeds = values.seeds === undefined ? undefined : parseIntList(values.seeds, '--seeds');
    const threads = values.threads === undefined ? undefined : parseCount(values.threads, '--threads');

    const { runFind } = await import('../../core/analysis/runFind');
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      io.err('\nstopping after the current step (Ctrl-C again to quit at once)…\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const progress = progressPrinter(io);
    let result: FindResult;
    try {
      result = await runFind({
        specPath: path.resolve(positionals[0]!),
        outDir: values.out === undefined ? undefined : path.resolve(values.out),
        resume: values.resume === undefined ? undefined : path.resolve(values.resume),
        seeds, threads,
      }, { signal: controller.signal, onProgress: progress });
    } finally {
      process.off('SIGINT', onSigint);
    }
    const resultsPath = path.join(result.runDir, RESULTS_FILE);
    const results = readResults(resultsPath);
    const summary = results ? summarize(results) : [];
    if (values.json) {
      io.out(`${JSON.stringify({ runDir: result.runDir, status: result.status, results: results ? resultsPath : null, summary }, null, 2)}\n`);
    } else {
      io.out(formatSummary(result, summary));
    }
    return result.status === 'complete' ? 0 : 130;
  },
};

export interface SubroutineSummary {
  subroutine: string;
  subnetworkScore: number | null;
  ablationScore: number | null;
  verdict: string;
  /** Mean kept fraction over seeds, in [0, 1]. */
  keptFraction: number | null;
  /** Specificity p (Fisher over seeds) and after Holm's correction across subroutines. */
  p: number | null;
  pAdjusted: number | null;
  seeds: number;
  /** The rule that decided the verdict (for `uninformative`: the gate). */
  reason: string;
}

export function summarize(results: ResultsFile): SubroutineSummary[] {
  return results.subroutineNames.map((name) => {
    const r = results.subroutines[name];
    return {
      subroutine: name,
      subnetworkScore: r?.subnetworkScore ?? null,
      ablationScore: r?.ablationScore ?? null,
      verdict: r?.verdict ?? 'inconclusive',
      keptFraction: r?.stats.keptFraction.mean ?? null,
      p: r?.randomAblation.p ?? null,
      pAdjusted: r?.randomAblation.pAdjusted ?? null,
      seeds: r?.seeds.length ?? 0,
      reason: r?.verdictReason ?? 'no seed has finished',
    };
  });
}

function formatSummary(result: FindResult, rows: SubroutineSummary[]): string {
  const num = (v: number | null, digits = 3) => (v === null ? '—' : v.toFixed(digits));
  const p = (v: number | null) => (v !== null && v > 0 && v < 1e-3 ? v.toExponential(1) : num(v));
  const table = [
    ['subroutine', 'subnetwork', 'ablation', 'verdict', 'kept %', 'p', 'p (Holm)', 'seeds'],
    ...rows.map((r) => [
      r.subroutine, num(r.subnetworkScore), num(r.ablationScore), r.verdict,
      r.keptFraction === null ? '—' : (100 * r.keptFraction).toFixed(2), p(r.p), p(r.pAdjusted), String(r.seeds),
    ]),
  ];
  const reasons = rows.map((r) => `  ${r.subroutine}: ${r.reason}`);
  const lines = [`run ${result.status}: ${result.runDir}`, ...formatTable(table), ...reasons];
  if (result.status === 'cancelled') lines.push(`resume with: subnetwork-lens find SPEC --resume ${result.runDir}`);
  return `${lines.join('\n')}\n`;
}

/** Columns two spaces apart, indented by two; the `left` columns left-aligned, the others (numbers) right-aligned. */
export function formatTable(rows: string[][], left: number[] = [0, 3]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => `  ${r.map((cell, c) => (left.includes(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`.trimEnd());
}

/** One stderr line per work-item change and at most one per second within a work item. */
export function progressPrinter(io: CliIO): (e: ProgressEvent) => void {
  let last = 0;
  let lastKey = '';
  return (e) => {
    const now = Date.now();
    const key = `${e.subroutine}/${e.seed}/${e.phase}`;
    const final = e.step !== undefined && e.step === e.steps;
    if (key === lastKey && now - last < 1000 && !final && e.phase === 'train-mask') return;
    last = now;
    lastKey = key;
    const parts = [`[${(100 * e.fraction).toFixed(0).padStart(3)}%]`, e.message];
    if (e.loss !== undefined) parts.push(`loss ${e.loss.toFixed(4)}`);
    if (e.keptFraction !== undefined) parts.push(`kept ${(100 * e.keptFraction).toFixed(2)}%`);
    if (e.beta !== undefined) parts.push(`β ${e.beta.toFixed(1)}`);
    io.err(`${parts.join('  ')}\n`);
  };
}

function readResults(file: string): ResultsFile | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ResultsFile;
  } catch {
    return null;
  }
}

export function parseIntList(text: string, option: string): number[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0 || items.some((s) => !/^\d+$/.test(s))) throw new UsageError(`${option} must be comma-separated non-negative integers, got '${text}'`);
  return items.map(Number);
}

export function parseCount(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} must be a non-negative integer, got '${text}'`);
  return Number(text);
}
