// Ablate subnetwork… and Export pruned or ablated model…: run → subroutine + seed → mode (→ test sets)
// → a job in the compute process → a results table (Markdown preview) and the log. No retraining.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AblateMode, AblateOptions, AblateResult, ExportModelResult } from '../shared/jobs';
import { writeFileAtomic } from '../core/util/writeFileAtomic';
import { readSettings, threadsOption } from './config';
import { pickMask, pickRun } from './pickers';
import { info, requireTrust, showError, type Services } from './Services';
import { isCancellation } from './userMessage';
import { formatPercent } from '../core/views/format';

const MODES: { mode: AblateMode; label: string; detail: string }[] = [
  { mode: 'zero', label: 'zero', detail: 'Set the subnetwork\'s weights to 0 (the default ablation)' },
  { mode: 'mean', label: 'mean', detail: 'Set them to the mean of their tensor' },
  { mode: 'random-reinit', label: 'random re-init', detail: 'Draw them afresh from their tensor\'s distribution' },
  { mode: 'keep-only', label: 'keep only', detail: 'Keep only the subnetwork; remove every other masked weight' },
];


/** A Markdown table of an ablation result (one row per test set). */
export function ablationTable(r: AblateResult): string {
  const withNull = r.rows.some((row) => row.randomMean !== undefined);
  const head = [
    'Test set', 'Examples', 'Intact', `Ablated (${r.mode})`, 'Change', ...(withNull ? ['Random ablations', 'p'] : []),
  ];
  const lines = [
    `### ${r.subroutine}, seed ${r.seed} — ${r.mode}`,
    '',
    `Run \`${path.basename(r.runDir)}\`; `
      + `the subnetwork keeps ${formatPercent(r.keptFraction, 1)} of the masked weights.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
  ];
  for (const row of r.rows) {
    const change = row.accuracyAblated - row.accuracyFull;
    const cells = [
      row.testSet, String(row.examples), formatPercent(row.accuracyFull, 1), formatPercent(row.accuracyAblated, 1),
      `${change >= 0 ? '+' : '−'}${(100 * Math.abs(change)).toFixed(1)} pp`,
    ];
    if (withNull) {
      cells.push(
        row.randomMean === undefined ? '–' : `${formatPercent(row.randomMean, 1)} ± ${formatPercent(row.randomStd, 1)}`,
        row.pValue === undefined ? '–' : row.pValue.toPrecision(2),
      );
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

async function showMarkdown(file: string, text: string): Promise<void> {
  writeFileAtomic(file, text);
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
}

interface AblateArgs {
  runDir?: string;
  subroutine?: string;
  seed?: number;
  mode?: AblateMode;
  testSets?: string[];
}

export async function ablateSubnetwork(s: Services, arg?: unknown): Promise<AblateResult | undefined> {
  const action = 'Ablate subnetwork';
  if (!requireTrust(s, action)) return undefined;
  const given = (arg && typeof arg === 'object' && 'runDir' in arg ? arg : {}) as AblateArgs;
  const run = await pickRun(
    s, arg, `${action}: run`,
    (r) => !!r.results && Object.values(r.results.subroutines).some((x) => x.seeds.length > 0),
  );
  if (!run) return undefined;
  const mask = given.subroutine !== undefined && given.seed !== undefined
    ? { run, subroutine: given.subroutine, seed: given.seed }
    : await pickMask(run, arg, `${action}: subroutine and seed`);
  if (!mask) return undefined;
  let mode = given.mode;
  if (!mode) {
    const picked = await vscode.window.showQuickPick(
      MODES.map((m) => ({ label: m.label, detail: m.detail, mode: m.mode })),
      { title: `${action}: ${mask.subroutine}, seed ${mask.seed}: mode` },
    );
    if (!picked) return undefined;
    mode = picked.mode;
  }
  let testSets = given.testSets;
  if (!testSets) {
    const all = run.results?.testSets ?? [];
    const picked = await vscode.window.showQuickPick(
      all.map((t) => ({ label: t, picked: true })),
      { title: `${action}: test sets`, canPickMany: true },
    );
    if (!picked || picked.length === 0) return undefined;
    testSets = picked.map((p) => p.label);
  }
  const options: AblateOptions = {
    runDir: run.dir,
    subroutine: mask.subroutine,
    seed: mask.seed,
    mode,
    testSets,
    randomAblations: readSettings().randomAblations,
    threads: threadsOption(),
  };
  const title = `${action}: ${mask.subroutine} seed ${mask.seed}, ${mode}`;
  try {
    const result = await s.queue.enqueue<AblateResult>({
      title, start: (onProgress) => s.jobs.run('ablate', options, onProgress),
    });
    const table = ablationTable(result);
    s.log.block(table);
    const file = result.savedTo
      ? result.savedTo.replace(/\.json$/i, '') + '.md'
      : path.join(run.dir, 'ablations', `${mask.subroutine}-seed-${mask.seed}-${mode}.md`);
    await showMarkdown(file, table);
    return result;
  } catch (e) {
    if (isCancellation(e)) void info(s, `${title}: cancelled.`);
    else showError(s, e, title);
    return undefined;
  }
}

export async function exportModel(s: Services, arg?: unknown): Promise<ExportModelResult | undefined> {
  const action = 'Export pruned or ablated model';
  if (!requireTrust(s, action)) return undefined;
  const given = (arg && typeof arg === 'object' && 'runDir' in arg ? arg : {}) as AblateArgs & { outPath?: string };
  const run = await pickRun(
    s, arg, `${action}: run`,
    (r) => !!r.results && Object.values(r.results.subroutines).some((x) => x.seeds.length > 0),
  );
  if (!run) return undefined;
  const mask = given.subroutine !== undefined && given.seed !== undefined
    ? { run, subroutine: given.subroutine, seed: given.seed }
    : await pickMask(run, arg, `${action}: subroutine and seed`);
  if (!mask) return undefined;
  const picked = given.mode ? { mode: given.mode } : await vscode.window.showQuickPick(
    [
      {
        label: 'Pruned model', detail: 'Only the subnetwork kept (every other masked weight set to 0)',
        mode: 'keep-only' as AblateMode,
      },
      ...MODES.filter((m) => m.mode !== 'keep-only')
        .map((m) => ({ label: `Ablated model (${m.label})`, detail: m.detail, mode: m.mode })),
    ],
    { title: `${action}: ${mask.subroutine}, seed ${mask.seed}` },
  );
  if (!picked) return undefined;
  const base = path.basename(run.info.model).replace(/\.onnx$/i, '');
  const suffix = picked.mode === 'keep-only' ? 'pruned' : `ablated-${picked.mode}`;
  const target = given.outPath ? vscode.Uri.file(given.outPath) : await vscode.window.showSaveDialog({
    title: action,
    defaultUri: vscode.Uri.file(
      path.join(path.dirname(run.info.model), `${base}.${mask.subroutine}-seed${mask.seed}.${suffix}.onnx`),
    ),
    filters: { 'ONNX model': ['onnx'] },
  });
  if (!target) return undefined;
  if (fs.existsSync(target.fsPath) && path.resolve(target.fsPath) === path.resolve(run.info.model)) {
    showError(s, new Error('refusing to overwrite the original model; pick another file name'), action);
    return undefined;
  }
  const title = `${action}: ${path.basename(target.fsPath)}`;
  try {
    const result = await s.queue.enqueue<ExportModelResult>({
      title,
      start: (onProgress) => s.jobs.run('export', {
        runDir: run.dir, subroutine: mask.subroutine, seed: mask.seed, mode: picked.mode, outPath: target.fsPath,
      }, onProgress),
    });
    const changed = `${result.changedWeights} of ${result.maskedWeights} masked weights changed`;
    void info(s, `Wrote ${vscode.workspace.asRelativePath(result.outPath)} (${changed}).`);
    return result;
  } catch (e) {
    if (isCancellation(e)) void info(s, `${title}: cancelled.`);
    else showError(s, e, title);
    return undefined;
  }
}
