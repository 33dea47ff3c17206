// Activation: creates the shared services and registers commands, the tree view and the custom editor.
// Activated implicitly by the contributions (commands, view, custom editor); nothing runs before.
import * as vscode from 'vscode';
import { ablateSubnetwork, exportModel } from './ablateFlow';
import { compareSubnetworks } from './compareFlow';
import { cancelRun, findSubnetworks, resumeRun } from './findFlow';
import { JobQueue } from './JobQueue';
import { LayerGraphEditorProvider } from './LayerGraphEditorProvider';
import { Log } from './Log';
import { isTreeNode } from './pickers';
import { RunsTreeProvider } from './RunsTreeProvider';
import { showError, type Services } from './Services';
import { createSpec } from './specFlow';
import { WorkerClient } from './WorkerClient';

/**
 * What `vscode.extensions.getExtension('subnetwork-lens.subnetwork-lens').exports` gives
 * (used by the integration tests).
 */
export interface SubnetworkLensApi {
  readonly services: Services;
}

/** The watchdog of the views process: a layer graph not built within this is abandoned and the process restarted. */
const VIEW_TIMEOUT_MS = 60_000;

export function activate(context: vscode.ExtensionContext): SubnetworkLensApi {
  const log = new Log();
  const workerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath;
  const jobs = new WorkerClient({ workerPath, log: (l) => log.info(l) });
  // A view request that takes longer than this means a model that loops or allocates without end.
  const views = new WorkerClient({ workerPath, log: (l) => log.info(`[views] ${l}`), timeoutMs: VIEW_TIMEOUT_MS });
  const queue = new JobQueue(log);
  const tree = new RunsTreeProvider((l) => log.info(l));
  const spawnWorker = (label: string) => new WorkerClient({ workerPath, log: (l) => log.info(`[${label}] ${l}`) });
  const s: Services = { context, log, jobs, spawnWorker, views, queue, tree, notices: [] };
  context.subscriptions.push(log, queue, tree, { dispose: () => jobs.dispose() }, { dispose: () => views.dispose() });

  const treeView = vscode.window.createTreeView('subnetworkLens.runs', {
    treeDataProvider: tree, showCollapseAll: true,
  });
  context.subscriptions.push(treeView);

  const editor = new LayerGraphEditorProvider(s);
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(LayerGraphEditorProvider.viewType, editor, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: true },
    }),
  );

  /** Registers a command whose failures become a readable message, never an unhandled rejection. */
  const command = (id: string, title: string, run: (arg?: unknown, ...rest: unknown[]) => unknown) => {
    context.subscriptions.push(
      vscode.commands.registerCommand(`subnetworkLens.${id}`, async (arg?: unknown, ...rest: unknown[]) => {
        try {
          return await run(arg, ...rest);
        } catch (e) {
          showError(s, e, title);
          return undefined;
        }
      }),
    );
  };

  command('findSubnetworks', 'Find subnetworks', (arg) => findSubnetworks(s, arg));
  command('resumeRun', 'Resume run', (arg) => resumeRun(s, arg));
  command('cancelRun', 'Cancel run', () => cancelRun(s));
  command('ablate', 'Ablate subnetwork', (arg) => ablateSubnetwork(s, arg));
  command('exportModel', 'Export pruned or ablated model', (arg) => exportModel(s, arg));
  command('compare', 'Compare subnetworks', (arg) => compareSubnetworks(s, arg));
  command('createSpec', 'Create task spec', (arg) => createSpec(
    arg instanceof vscode.Uri ? arg
      : isTreeNode(arg) && arg.kind === 'model' ? arg.uri
        : undefined,
  ));
  command('openLayerGraph', 'Open layer graph', (arg) => editor.open(arg, 'graph'));
  command('openReport', 'Open report', (arg) => editor.open(arg, 'report'));
  command('refresh', 'Refresh', () => tree.refresh(0));
  command('showLog', 'Show log', () => log.show());
  command('revealRun', 'Reveal run folder', (arg) => {
    if (isTreeNode(arg) && arg.kind === 'run') {
      return vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(arg.run.dir));
    }
    return undefined;
  });
  command('openResults', 'Open results.json', (arg) => {
    if (isTreeNode(arg) && arg.kind === 'run') {
      return vscode.window.showTextDocument(vscode.Uri.joinPath(vscode.Uri.file(arg.run.dir), 'results.json'));
    }
    return undefined;
  });

  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => tree.refresh(0)));
  void vscode.commands.executeCommand('setContext', 'subnetworkLens.jobRunning', false);
  log.info(`activated (VS Code ${vscode.version}, ${vscode.workspace.isTrusted ? 'trusted' : 'restricted'} workspace)`);
  return { services: s };
}

export function deactivate(): void {
  // Everything is in context.subscriptions: the compute processes are killed there.
}
