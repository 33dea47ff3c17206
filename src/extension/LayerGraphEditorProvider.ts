// The read-only custom editor for .onnx files ("Open With…" → Subnetwork Lens layer graph) and the
// report view of a run: both show H5's webview (webview/, src/shared/webviewProtocol.ts) with the
// model's layer graph, and with a run's overlays and heatmaps when a run is selected.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LayerGraphView } from '../shared/viewModel';
import type { FromWebview, ToWebview } from '../shared/webviewProtocol';
import type { RunRecord } from './loadRuns';
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

const key = (uri: vscode.Uri) => path.resolve(uri.fsPath);

export class LayerGraphEditorProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument> {
  static readonly viewType = 'subnetworkLens.layerGraph';
  private readonly panels = new Map<string, Set<vscode.WebviewPanel>>();
  private readonly pending = new Map<string, Selection>();
  private readonly graphs = new Map<string, { mtimeMs: number; view: Promise<LayerGraphView> }>();

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
      if (arg.kind === 'model') model = arg.uri;
      else if (arg.kind === 'run' || arg.kind === 'subroutine' || arg.kind === 'seed') {
        model = vscode.Uri.file(arg.run.info.model);
        selection = {
          runDir: arg.run.dir,
          subroutine: arg.kind === 'subroutine' ? arg.name : arg.kind === 'seed' ? arg.subroutine : undefined,
          seed: arg.kind === 'seed' ? arg.seed : undefined,
        };
      }
    } else if (arg && typeof arg === 'object' && typeof (arg as Selection).runDir === 'string') {
      selection = arg as Selection;
      const run = (await this.s.tree.allRuns()).find((r) => path.resolve(r.dir) === path.resolve(selection!.runDir));
      const info = run?.info ?? readRunInfo(selection.runDir);
      if (info) model = vscode.Uri.file(info.model);
    }
    if (!model && mode === 'report') {
      const run = await pickRun(this.s, undefined, 'Open report');
      if (!run) return;
      model = vscode.Uri.file(run.info.model);
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
      const panel = [...open][0]!;
      panel.reveal();
      if (selection) await this.sendRun(panel, selection);
      return;
    }
    await vscode.commands.executeCommand('vscode.openWith', model, LayerGraphEditorProvider.viewType);
  }

  async resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): Promise<void> {
    const k = key(document.uri);
    const set = this.panels.get(k) ?? new Set();
    set.add(panel);
    this.panels.set(k, set);
    panel.onDidDispose(() => set.delete(panel));

    const ext = this.s.context.extensionUri;
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(ext, 'dist'), vscode.Uri.joinPath(ext, 'media')] };
    webview.html = webviewHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(ext, 'dist', 'webview.js')),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(ext, 'dist', 'webview.css')),
      nonce: crypto.randomBytes(16).toString('base64'),
      cspSource: webview.cspSource,
    });
    webview.onDidReceiveMessage(async (message: FromWebview) => {
      try {
        await this.onMessage(document, panel, message);
      } catch (e) {
        showError(this.s, e, 'Layer graph');
      }
    });
  }

  private async onMessage(document: ModelDocument, panel: vscode.WebviewPanel, message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready': {
        let view: LayerGraphView;
        try {
          view = await this.graph(document.uri);
        } catch (e) {
          await this.post(panel, { type: 'error', message: userMessage(e, 'Reading the model') } as ToWebview);
          return;
        }
        await this.post(panel, { type: 'init', view } as ToWebview);
        const selection = this.pending.get(key(document.uri)) ?? (await this.latestRun(document.uri));
        this.pending.delete(key(document.uri));
        if (selection) await this.sendRun(panel, selection);
        return;
      }
      default:
        this.s.log.info(`webview: ${JSON.stringify(message).slice(0, 200)}`);
    }
  }

  private async latestRun(model: vscode.Uri): Promise<Selection | undefined> {
    const runs = (await this.s.tree.allRuns()).filter((r) => path.resolve(r.info.model) === key(model) && r.results);
    runs.sort((a, b) => (b.info.created ?? '').localeCompare(a.info.created ?? ''));
    return runs[0] ? { runDir: runs[0].dir } : undefined;
  }

  private async sendRun(panel: vscode.WebviewPanel, selection: Selection): Promise<void> {
    const run: RunRecord | undefined = (await this.s.tree.allRuns()).find((r) => path.resolve(r.dir) === path.resolve(selection.runDir));
    if (!run) return;
    await this.post(panel, { type: 'run', info: run.info, results: run.results ?? null, subroutine: selection.subroutine, seed: selection.seed } as unknown as ToWebview);
  }

  private async post(panel: vscode.WebviewPanel, message: ToWebview): Promise<void> {
    await panel.webview.postMessage(message);
  }

  /** The layer graph of `uri`, built in the views compute process; cached while the file is unchanged. */
  private graph(uri: vscode.Uri): Promise<LayerGraphView> {
    const k = key(uri);
    const mtimeMs = fs.statSync(uri.fsPath).mtimeMs;
    const cached = this.graphs.get(k);
    if (cached && cached.mtimeMs === mtimeMs) return cached.view;
    const view = this.s.views.run('layerGraph', { modelPath: uri.fsPath }).result;
    this.graphs.set(k, { mtimeMs, view });
    view.catch(() => this.graphs.delete(k));
    return view;
  }
}

function readRunInfo(dir: string): { model: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as { model: string };
  } catch {
    return undefined;
  }
}
