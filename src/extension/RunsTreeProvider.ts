// The "Models and runs" tree: models in the workspace → runs → subroutines (verdict, scores, kept %)
// → seeds. Read from disk on every refresh, so runs made by the CLI appear as well.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ResultsFile, RunInfo, SeedResult, SubroutineResult } from '../shared/results';
import { resultsFolder } from './config';
import { folderDescription } from './folderDescription';
import { groupRunsByModel, loadRuns, type LoadedRuns, type QueuedRun, type RunRecord } from './loadRuns';
import { formatPercent, formatSigned } from '../core/views/format';
import { runProgressText, shardLines } from '../core/runStore/runProgress';

export type TreeNode =
  | { kind: 'model'; uri: vscode.Uri; runs: RunRecord[]; queued: QueuedRun[] }
  | { kind: 'run'; run: RunRecord }
  | { kind: 'queued'; queued: QueuedRun }
  | { kind: 'subroutine'; run: RunRecord; name: string; result?: SubroutineResult }
  | { kind: 'seed'; run: RunRecord; subroutine: string; seed: number; result?: SeedResult }
  | { kind: 'message'; text: string };


const STATUS_ICON: Record<RunInfo['status'], vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('loading~spin'),
  complete: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

const VERDICT_ICON: Record<SubroutineResult['verdict'], vscode.ThemeIcon> = {
  compositional: new vscode.ThemeIcon('symbol-structure', new vscode.ThemeColor('testing.iconPassed')),
  'not-compositional': new vscode.ThemeIcon('symbol-constant', new vscode.ThemeColor('testing.iconFailed')),
  inconclusive: new vscode.ThemeIcon('question'),
  uninformative: new vscode.ThemeIcon('circle-slash'),
};

/** How often the tree re-reads a running run while no file in it changes. */
const RECHECK_MS = 60_000;

function runLabel(info: RunInfo): string {
  const d = new Date(info.created);
  return Number.isNaN(d.getTime()) ? info.id : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function sameFile(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Promise<TreeNode[]> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly log?: (line: string) => void) {
    this.watch();
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watch();
        this.refresh();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('subnetworkLens.resultsFolder')) {
          this.watch();
          this.refresh();
        }
      }),
    );
  }

  /** Re-reads models and runs from disk (debounced: bursts of file events make one refresh). */
  refresh(delayMs = 200): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.roots = undefined;
      this.changed.fire(undefined);
    }, delayMs);
  }

  /** Every run currently known (for QuickPicks). */
  async allRuns(): Promise<RunRecord[]> {
    const roots = await this.rootNodes();
    return roots.flatMap((n) => (n.kind === 'model' ? n.runs : []));
  }

  getChildren(node?: TreeNode): vscode.ProviderResult<TreeNode[]> {
    if (!node) return this.rootNodes();
    switch (node.kind) {
      case 'model':
        return [
          ...node.queued.map((queued) => ({ kind: 'queued' as const, queued })),
          ...node.runs.map((run) => ({ kind: 'run' as const, run })),
        ];
      case 'run': {
        const r = node.run.results;
        const names = r?.subroutineNames ?? Object.keys(node.run.info.spec?.subroutines ?? {});
        return names.map((name) => ({
          kind: 'subroutine' as const, run: node.run, name, result: r?.subroutines[name],
        }));
      }
      case 'subroutine': {
        const seeds = node.result?.seeds ?? [];
        const done = new Set(seeds.map((s) => s.seed));
        const pending = (node.run.info.seeds ?? []).filter((s) => !done.has(s));
        return [
          ...seeds.map((result) => ({
            kind: 'seed' as const, run: node.run, subroutine: node.name, seed: result.seed, result,
          })),
          ...pending.map((seed) => ({ kind: 'seed' as const, run: node.run, subroutine: node.name, seed })),
        ];
      }
      default:
        return [];
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'model': {
        const runs = node.runs.length + node.queued.length;
        const state = runs ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None;
        const item = new vscode.TreeItem(path.basename(node.uri.fsPath), state);
        // The id changes when the first run appears, so the model then shows expanded.
        item.id = `model:${node.uri.toString()}:${runs ? 'runs' : 'none'}`;
        item.resourceUri = node.uri;
        item.iconPath = new vscode.ThemeIcon('circuit-board');
        const count = `${runs} run${runs === 1 ? '' : 's'}`;
        item.description = [count, folderDescription(node.uri)].filter(Boolean).join(' · ');
        item.tooltip = node.uri.fsPath;
        item.contextValue = 'model';
        item.command = { command: 'subnetworkLens.openLayerGraph', title: 'Open layer graph', arguments: [node.uri] };
        return item;
      }
      case 'run': {
        const { info, results } = node.run;
        const item = new vscode.TreeItem(runLabel(info), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `run:${node.run.dir}`;
        item.iconPath = STATUS_ICON[info.status] ?? new vscode.ThemeIcon('circle-outline');
        const counts = results ? Object.values(results.subroutines).map((s) => s.verdict) : [];
        const compositional = counts.filter((v) => v === 'compositional').length;
        const shards = info.status === 'running' ? node.run.progress : null;
        const progress = shards ? runProgressText(shards) : undefined;
        const legacyStale = node.run.stale && !node.run.progress ? 'stopped updating (crashed?)' : undefined;
        item.description = [
          info.status === 'complete' ? undefined : legacyStale ?? progress ?? info.status,
          info.total ? `${info.done?.length ?? 0}/${info.total}` : undefined,
          results ? `${compositional}/${counts.length} compositional` : undefined,
          path.basename(info.specPath ?? ''),
        ].filter(Boolean).join(' · ');
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**Run ${info.id}** — ${info.status}\n\n`);
        md.appendMarkdown(`Spec: \`${vscode.workspace.asRelativePath(info.specPath ?? '')}\`  \n`
          + `Seeds: ${(info.seeds ?? []).join(', ')}  \n`);
        if (info.error) md.appendText(`${info.error.name}: ${info.error.message}\n`);
        if (shards) md.appendText(`${shardLines(shards).join('\n')}\n`);
        item.tooltip = md;
        if (node.run.problems.length) md.appendText(`Problems: ${node.run.problems.join('; ')}\n`);
        // A stale `running` run behaves like a failed one: it can be resumed, not cancelled.
        item.contextValue = `run-${node.run.stale ? 'failed' : info.status}`;
        item.command = { command: 'subnetworkLens.openReport', title: 'Open report', arguments: [node] };
        return item;
      }
      case 'queued': {
        const { plan, progress, dir } = node.queued;
        const item = new vscode.TreeItem(path.basename(dir), vscode.TreeItemCollapsibleState.None);
        item.id = `queued:${dir}`;
        item.iconPath = new vscode.ThemeIcon('watch');
        const items = `${plan.items} items`;
        item.description = [runProgressText(progress), items, path.basename(plan.specPath)].join(' · ');
        item.tooltip = `Planned for ${plan.scheduler} on ${plan.created}: ${plan.shards} shards of ${plan.items} work `
          + `items, waiting in the queue.\n${shardLines(progress).join('\n')}`;
        item.contextValue = 'queued-run';
        return item;
      }
      case 'subroutine': {
        const r = node.result;
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `sub:${node.run.dir}:${node.name}`;
        item.iconPath = r ? VERDICT_ICON[r.verdict] : new vscode.ThemeIcon('circle-outline');
        item.description = r
          ? `${r.verdict} · sub ${formatSigned(r.subnetworkScore)} · abl ${formatSigned(r.ablationScore)} `
            + `· kept ${formatPercent(r.stats?.keptFraction?.mean)}`
          : 'no results yet';
        item.tooltip = r ? `${node.name}: ${r.verdict}\n${r.verdictReason}` : `${node.name}: no seed has finished`;
        item.contextValue = 'subroutine';
        return item;
      }
      case 'seed': {
        const r = node.result;
        const item = new vscode.TreeItem(`seed ${node.seed}`, vscode.TreeItemCollapsibleState.None);
        item.id = `seed:${node.run.dir}:${node.subroutine}:${node.seed}`;
        item.iconPath = new vscode.ThemeIcon(r ? 'symbol-field' : 'circle-outline');
        item.description = r
          ? `sub ${formatSigned(r.subnetworkScore)} · abl ${formatSigned(r.ablationScore)} `
            + `· kept ${formatPercent(r.keptFraction)}`
          : 'not trained';
        if (r) {
          const acc = Object.entries(r.accuracy ?? {})
            .map(([cond, byTest]) => {
              const perTest = Object.entries(byTest).map(([t, a]) => `${t} ${formatPercent(a)}`).join(', ');
              return `${cond}: ${perTest}`;
            })
            .join('\n');
          item.tooltip = `${node.subroutine} seed ${node.seed}\nkept ${r.kept} of ${r.total} weights\n${acc}`;
          item.command = { command: 'subnetworkLens.openLayerGraph', title: 'Open layer graph', arguments: [node] };
        }
        item.contextValue = r ? 'seed' : 'seed-pending';
        return item;
      }
      default: {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.text;
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.watchers.forEach((w) => w.dispose());
    this.changed.dispose();
  }

  private watchers: vscode.Disposable[] = [];

  /** Watches models (*.onnx) and every results folder; any change refreshes the tree. */
  private watch(): void {
    this.watchers.forEach((w) => w.dispose());
    this.watchers = [];
    const onChange = () => this.refresh(300);
    const add = (w: vscode.FileSystemWatcher) => {
      this.watchers.push(w, w.onDidCreate(onChange), w.onDidChange(onChange), w.onDidDelete(onChange));
    };
    add(vscode.workspace.createFileSystemWatcher('**/*.{onnx,ONNX,Onnx}'));
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const dir = resultsFolder(folder);
      add(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '**/*.json')));
      // A run folder deleted as a whole may report only the folder, not the JSON files in it.
      add(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '*')));
    }
  }

  private rootNodes(): Promise<TreeNode[]> {
    this.roots ??= this.readRoots();
    return this.roots;
  }

  private async readRoots(): Promise<TreeNode[]> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) return [];
    const excluded = '{**/node_modules/**,**/.subnetwork-lens/**,**/.git/**}';
    const modelUris = await vscode.workspace.findFiles('**/*.{onnx,ONNX,Onnx}', excluded);
    const all: LoadedRuns = { runs: [], queued: [], problems: [] };
    for (const folder of folders) {
      const loaded = await loadRuns(resultsFolder(folder));
      all.runs.push(...loaded.runs);
      all.queued.push(...loaded.queued);
      all.problems.push(...loaded.problems);
    }
    const roots = folders.map((f) => f.uri.fsPath);
    const { models, problems } = groupRunsByModel(all, modelUris.map((u) => u.fsPath), roots, sameFile);
    const nodes: TreeNode[] = models
      .map((m) => ({ kind: 'model' as const, uri: vscode.Uri.file(m.model), runs: m.runs, queued: m.queued }))
      .sort((a, b) => vscode.workspace.asRelativePath(a.uri).localeCompare(vscode.workspace.asRelativePath(b.uri)));
    for (const text of problems) nodes.push({ kind: 'message', text });
    // A shard that dies writes nothing more: look again later so its run turns stalled without a file event.
    if (all.runs.some((r) => r.info.status === 'running' && !r.stale)) this.refresh(RECHECK_MS);
    const runs = all.runs.length + all.queued.length;
    const problemCount = problems.length ? `, ${problems.length} problem(s)` : '';
    this.log?.(`tree: ${models.length} model(s), ${runs} run(s)${problemCount}`);
    return nodes;
  }
}

export type { RunRecord, ResultsFile };
