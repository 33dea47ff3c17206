// The read-only custom editor for .onnx files ("Open With…" → Subnetwork Lens layer graph) and the
// report view of a run: both show the webview (webview/, src/shared/webviewProtocol.ts) with the
// model's layer graph, and with a run's overlays and heatmaps when a run is selected.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LayerGraphView, OverlayView } from '../shared/viewModel';
import { MessageEndpoint } from '../shared/MessageEndpoint';
import type { FromWebview, ToWebview } from '../shared/webviewProtocol';
import { readRun } from '../core/runStore/readRun';
import { confineModelPath } from './confineModelPath';
import { isTreeNode, pickModel, pickRun } from './pickers';
import { showError, type Services } from './Services';
import { userMessage } from './userMessage';
import { webviewHtml } from './webviewHtml';

class ModelDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/** What to show with the graph: a run, optionally one subroutine and seed. */
export interface Selection {
  runDir: string;
  subroutine?: string;
  seed?: number;
}

interface OpenPanel {
  panel: vscode.WebviewPanel;
  endpoint: MessageEndpoint<FromWebview, ToWebview>;
}

const key = (uri: vscode.Uri) => path.resolve(uri.fsPath);

export class LayerGraphEditorProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument> {
  static readonly viewType = 'subnetworkLens.layerGraph';
  private readonly panels = new Map<string, Set<OpenPanel>>();
  private readonly pending = new Map<string, Selection>();

  constructor(private readonly s: Services) {}

  openCustomDocument(uri: vscode.Uri): ModelDocument {
    return new ModelDocument(uri);
  }

  /** Opens the graph of the model `arg` refers to; with a run/subroutine/seed node (or {runDir}), shows that run. */
  async open(arg: unknown, mode: 'graph' | 'report'): Promise<void> {
    let model: vscode.Uri | undefined;
    let selection: Selection | undefined;
    if (arg instanceof vscode.Uri) {
      model = arg;
    } else if (isTreeNode(arg)) {
      // A model node with runs may come from a run.json (the tree lists models it names): confined too.
      if (arg.kind === 'model') model = arg.runs[0] ? runModel(arg.uri.fsPath, arg.runs[0].dir) : arg.uri;
      else if (arg.kind === 'run' || arg.kind === 'subroutine' || arg.kind === 'seed') {
        model = runModel(arg.run.info.model, arg.run.dir);
        selection = {
          runDir: arg.run.dir,
          subroutine: arg.kind === 'subroutine' ? arg.name : arg.kind === 'seed' ? arg.subroutine : undefined,
          seed: arg.kind === 'seed' ? arg.seed : undefined,
        };
      }
    } else if (arg && typeof arg === 'object' && typeof (arg as Selection).runDir === 'string') {
      selection = arg as Selection;
      const run = (await this.s.tree.allRuns()).find((r) => path.resolve(r.dir) === path.resolve(selection!.runDir));
      const info = run?.info ?? readRun(selection.runDir).run;
      if (info) model = runModel(info.model, selection.runDir);
    }
    if (!model && mode === 'report') {
      const run = await pickRun(this.s, undefined, 'Open report');
      if (!run) return;
      model = runModel(run.info.model, run.dir);
      selection = { runDir: run.dir };
    }
    if (!model) model = await pickModel(arg, 'Open layer graph');
    if (!model) return;
    if (!fs.existsSync(model.fsPath)) {
      showError(this.s, new Error(`the model ${model.fsPath} no longer exists`), 'Open layer graph');
      return;
    }
    const open = this.panels.get(key(model));
    if (selection) this.pending.set(key(model), selection);
    if (open && open.size > 0) {
      [...open][0]!.panel.reveal();
      if (selection) {
        this.pending.delete(key(model));
        try {
          await this.sendRun(model, selection);
        } catch (e) {
          showError(this.s, e, 'Showing the run');
        }
      }
      return;
    }
    await vscode.commands.executeCommand('vscode.openWith', model, LayerGraphEditorProvider.viewType);
  }

  async resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): Promise<void> {
    const k = key(document.uri);
    const ext = this.s.context.extensionUri;
    const webview = panel.webview;
    webview.options = {
      enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(ext, 'dist'), vscode.Uri.joinPath(ext, 'media')],
    };
    webview.html = webviewHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(ext, 'dist', 'webview.js')),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(ext, 'media', 'webview.css')),
      nonce: crypto.randomBytes(16).toString('base64'),
      cspSource: webview.cspSource,
      title: path.basename(document.uri.fsPath),
    });
    const endpoint = new MessageEndpoint<FromWebview, ToWebview>(
      (envelope) => webview.postMessage(envelope),
      (message) => this.onMessage(document, message),
    );
    const open: OpenPanel = { panel, endpoint };
    const set = this.panels.get(k) ?? new Set();
    set.add(open);
    this.panels.set(k, set);
    panel.onDidDispose(() => {
      set.delete(open);
      endpoint.dispose();
    });
    webview.onDidReceiveMessage((message: unknown) => {
      endpoint.receive(message).catch((e) => this.s.log.warn(`webview message failed: ${(e as Error).message}`));
    });
  }

  private async onMessage(document: ModelDocument, message: FromWebview): Promise<ToWebview | void> {
    switch (message.type) {
      case 'ready': {
        let view: LayerGraphView;
        try {
          view = await this.graph(document.uri);
        } catch (e) {
          return { type: 'showError', message: userMessage(e, `Reading ${path.basename(document.uri.fsPath)}`) };
        }
        const selection = this.pending.get(key(document.uri)) ?? (await this.latestRun(document.uri));
        this.pending.delete(key(document.uri));
        let overlay: OverlayView | null = null;
        if (selection) {
          try {
            overlay = await this.overlay(document.uri, selection.runDir);
          } catch (e) {
            showError(this.s, e, 'Showing the run');
          }
        }
        if (selection && (selection.subroutine || selection.seed !== undefined)) {
          // Narrow to what was clicked once the webview has drawn the init message.
          const select = { type: 'select', subroutine: selection.subroutine, seed: selection.seed } as const;
          setTimeout(() => this.broadcast(document.uri, select), 0);
        }
        return { type: 'init', view, title: path.basename(document.uri.fsPath), overlay };
      }
      case 'export': {
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(path.join(path.dirname(document.uri.fsPath), message.fileName)),
          filters: message.format === 'png' ? { 'PNG image': ['png'] } : { 'SVG image': ['svg'] },
        });
        if (!target) return { type: 'exported', path: null };
        const bytes = message.encoding === 'base64'
          ? Buffer.from(message.data, 'base64')
          : Buffer.from(message.data, 'utf8');
        await vscode.workspace.fs.writeFile(target, bytes);
        return { type: 'exported', path: target.fsPath };
      }
      case 'log':
        if (message.level === 'error') this.s.log.error(`webview: ${message.message}`);
        else if (message.level === 'warn') this.s.log.warn(`webview: ${message.message}`);
        else this.s.log.info(`webview: ${message.message}`);
        return;
      default:
        return;
    }
  }

  private async latestRun(model: vscode.Uri): Promise<Selection | undefined> {
    const runs = (await this.s.tree.allRuns()).filter((r) => path.resolve(r.info.model) === key(model) && r.results);
    runs.sort((a, b) => (b.info.created ?? '').localeCompare(a.info.created ?? ''));
    return runs[0] ? { runDir: runs[0].dir } : undefined;
  }

  private async sendRun(model: vscode.Uri, selection: Selection): Promise<void> {
    const overlay = await this.overlay(model, selection.runDir);
    this.broadcast(model, { type: 'overlay', overlay, subroutine: selection.subroutine, seed: selection.seed });
  }

  private broadcast(model: vscode.Uri, message: ToWebview): void {
    for (const p of this.panels.get(key(model)) ?? []) p.endpoint.post(message);
  }

  private overlay(model: vscode.Uri, runDir: string): Promise<OverlayView> {
    return this.s.views.run('overlay', { modelPath: model.fsPath, runDir, trusted: vscode.workspace.isTrusted }).result;
  }

  /**
   * The layer graph of `uri`, built (and cached while the file and the workspace trust are unchanged) by the
   * views compute process. In Restricted Mode the model is never run (static shapes only).
   */
  private graph(uri: vscode.Uri): Promise<LayerGraphView> {
    return this.s.views.run('layerGraph', { modelPath: uri.fsPath, trusted: vscode.workspace.isTrusted }).result;
  }
}

/**
 * The model a run's run.json names, refused unless it lies inside a workspace folder (or the run's own
 * folder): a repository must not make the extension open `../../etc/…` or any file elsewhere.
 */
function runModel(model: unknown, runDir: string): vscode.Uri {
  const roots = [...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), runDir];
  return vscode.Uri.file(confineModelPath(model, runDir, roots));
}
