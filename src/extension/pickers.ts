// Turning a command's argument (explorer Uri, tree node, nothing from the palette) into a model, a run,
// or a subroutine + seed — asking with a QuickPick when the argument does not say.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TreeNode } from './RunsTreeProvider';
import type { RunRecord } from './loadRuns';
import type { Services } from './Services';
import { folderDescription } from './folderDescription';

export function isTreeNode(x: unknown): x is TreeNode {
  return !!x && typeof x === 'object' && typeof (x as { kind?: unknown }).kind === 'string'
    && !(x instanceof vscode.Uri);
}

const isOnnx = (uri: vscode.Uri) => /\.onnx$/i.test(uri.fsPath);

/** The model a command is about: the clicked file, the tree node's model, the active editor's, or a pick. */
export async function pickModel(arg: unknown, title: string): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri && isOnnx(arg)) return arg;
  if (isTreeNode(arg)) {
    if (arg.kind === 'model') return arg.uri;
    if (arg.kind === 'run' || arg.kind === 'subroutine' || arg.kind === 'seed') {
      return vscode.Uri.file(arg.run.info.model);
    }
  }
  const tabInput = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const active = tabInput instanceof vscode.TabInputCustom || tabInput instanceof vscode.TabInputText
    ? tabInput.uri
    : undefined;
  if (active && isOnnx(active) && !arg) return active;
  const models = await vscode.workspace.findFiles(
    '**/*.{onnx,ONNX,Onnx}', '{**/node_modules/**,**/.subnetwork-lens/**}',
  );
  if (models.length === 0) {
    void vscode.window.showWarningMessage('There is no .onnx model in this workspace.');
    return undefined;
  }
  if (models.length === 1) return models[0];
  const picked = await vscode.window.showQuickPick(
    models.map((uri) => ({ label: path.basename(uri.fsPath), description: folderDescription(uri), uri })),
    { title, placeHolder: 'Pick a model' },
  );
  return picked?.uri;
}

/** The run a command is about: the tree node's, or a pick among runs that pass `filter`. */
export async function pickRun(
  s: Services,
  arg: unknown,
  title: string,
  filter: (r: RunRecord) => boolean = () => true,
): Promise<RunRecord | undefined> {
  if (isTreeNode(arg) && (arg.kind === 'run' || arg.kind === 'subroutine' || arg.kind === 'seed')) return arg.run;
  if (arg && typeof arg === 'object' && typeof (arg as { runDir?: unknown }).runDir === 'string') {
    const dir = path.resolve((arg as { runDir: string }).runDir);
    const found = (await s.tree.allRuns()).find((r) => path.resolve(r.dir) === dir);
    if (found) return found;
  }
  const runs = (await s.tree.allRuns()).filter(filter);
  if (runs.length === 0) {
    void vscode.window.showWarningMessage('There is no saved run to use yet. Run Find subnetworks first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({
      label: `${path.basename(run.info.model)} — ${run.info.id}`,
      description: run.info.status,
      detail: run.results
        ? Object.entries(run.results.subroutines).map(([n, r]) => `${n}: ${r.verdict}`).join(' · ')
        : 'no results yet',
      run,
    })),
    { title, placeHolder: 'Pick a run', matchOnDetail: true },
  );
  return picked?.run;
}

export interface MaskChoice {
  run: RunRecord;
  subroutine: string;
  seed: number;
}

/** Subroutine + seed of a run: from a seed/subroutine node, or a pick among the seeds that have a mask. */
export async function pickMask(run: RunRecord, arg: unknown, title: string): Promise<MaskChoice | undefined> {
  if (isTreeNode(arg) && arg.kind === 'seed' && arg.result) return { run, subroutine: arg.subroutine, seed: arg.seed };
  const onlySub = isTreeNode(arg) && arg.kind === 'subroutine' ? arg.name : undefined;
  const items = Object.entries(run.results?.subroutines ?? {})
    .filter(([name]) => !onlySub || name === onlySub)
    .flatMap(([name, r]) => r.seeds.map((seed) => ({
      label: `${name} · seed ${seed.seed}`,
      description: `kept ${(100 * seed.keptFraction).toFixed(2)} % · sub ${seed.subnetworkScore.toFixed(2)} `
        + `· abl ${seed.ablationScore.toFixed(2)}`,
      choice: { run, subroutine: name, seed: seed.seed },
    })));
  if (items.length === 0) {
    void vscode.window.showWarningMessage(`Run ${run.info.id} has no trained mask yet.`);
    return undefined;
  }
  if (items.length === 1) return items[0]!.choice;
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'Pick a subroutine and seed' }))?.choice;
}
