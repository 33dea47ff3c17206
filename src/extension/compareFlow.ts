// Compare subnetworks…: pick one or more runs → scores, verdicts and kept fractions side by side,
// and each run's overlap matrix (IoU / IoMin between subroutines), as a Markdown preview.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ResultsFile } from '../shared/results';
import { writeFileAtomic } from '../core/util/writeFileAtomic';
import type { RunRecord } from './loadRuns';
import { isTreeNode } from './pickers';
import { info, type Services } from './Services';
import { formatNumber, formatPercent } from '../core/views/format';


function overlapTable(r: ResultsFile): string[] {
  const m = r.overlap?.matrix;
  if (!m || m.names.length === 0) return ['_No overlap yet._'];
  const lines = [`| IoU (IoMin) | ${m.names.join(' | ')} |`, `| --- | ${m.names.map(() => '---:').join(' | ')} |`];
  m.names.forEach((row, i) => {
    const cells = m.names.map((_, j) => `${formatNumber(m.iou[i]?.[j], 2)} (${formatNumber(m.ioMin[i]?.[j], 2)})`);
    lines.push(`| **${row}** | ${cells.join(' | ')} |`);
  });
  lines.push('', '_Off-diagonal: two subroutines, same seed, averaged over seeds. '
    + 'Diagonal: seeds of one subroutine (stability)._');
  return lines;
}

/** The comparison document for `runs`. */
export function comparisonMarkdown(runs: RunRecord[]): string {
  const lines = [
    '# Subnetwork comparison',
    '',
    '| Run | Model | Subroutine | Verdict | Subnetwork score | Ablation score | Kept | Seeds |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const run of runs) {
    for (const [name, s] of Object.entries(run.results?.subroutines ?? {})) {
      const cells = [
        run.info.id, path.basename(run.info.model), name, s.verdict,
        formatNumber(s.subnetworkScore, 2), formatNumber(s.ablationScore, 2),
        formatPercent(s.stats?.keptFraction?.mean), s.seeds.length,
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  for (const run of runs) {
    lines.push('', `## Overlap in ${run.info.id} (${path.basename(run.info.model)})`, '');
    lines.push(...(run.results ? overlapTable(run.results) : ['_No results yet._']));
  }
  return `${lines.join('\n')}\n`;
}

export async function compareSubnetworks(s: Services, arg?: unknown): Promise<string | undefined> {
  const all = (await s.tree.allRuns()).filter((r) => r.results);
  if (all.length === 0) {
    void info(s, 'There are no runs with results to compare yet. Run Find subnetworks first.');
    return undefined;
  }
  const preselected = isTreeNode(arg) && arg.kind === 'run' ? arg.run.dir : undefined;
  let runs: RunRecord[];
  const given = arg && typeof arg === 'object' && Array.isArray((arg as { runDirs?: unknown }).runDirs)
    ? (arg as { runDirs: string[] }).runDirs.map((d) => path.resolve(d))
    : undefined;
  if (given) {
    runs = all.filter((r) => given.includes(path.resolve(r.dir)));
  } else if (all.length === 1) {
    runs = all;
  } else {
    const picked = await vscode.window.showQuickPick(
      all.map((run) => ({
        label: `${path.basename(run.info.model)} — ${run.info.id}`, description: run.info.status,
        picked: run.dir === preselected || !preselected, run,
      })),
      { title: 'Compare subnetworks: runs', canPickMany: true },
    );
    if (!picked || picked.length === 0) return undefined;
    runs = picked.map((p) => p.run);
  }
  const dir = (s.context.storageUri ?? s.context.globalStorageUri).fsPath;
  const file = path.join(dir, 'comparison.md');
  writeFileAtomic(file, comparisonMarkdown(runs));
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
  return file;
}
