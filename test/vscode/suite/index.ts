// Runs inside the real VS Code extension host (code-server or @vscode/test-electron), with the real
// `vscode` API. Bundled to dist/test/index.js; VS Code calls `run()` because the page was opened with
// extensionTestsPath. Reads its parameters from `<workspace>/.subnetwork-lens-test.json` and writes
// one JSON result per test to the file named there; the outer node test polls that file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SubnetworkLensApi } from '../../../src/extension/extension';
import type { AblateResult, ExportModelResult, FindResult } from '../../../src/shared/jobs';
import type { RunInfo } from '../../../src/shared/results';
import type { TreeNode } from '../../../src/extension/RunsTreeProvider';
import { listFiles } from '../../support/listFiles';
import { sameRunResults } from '../../unit/scale/sameRunResults';

export interface SuiteParams {
  scenario: 'trusted' | 'untrusted';
  /** Where the report goes; the outer test creates `<resultsFile>.release` to let the extension host go. */
  resultsFile: string;
  /** Spec of a quick run that must complete. */
  spec: string;
  /** Spec of a long run that the cancel test stops midway. */
  slowSpec: string;
  /** A spec the engine must reject with a SpecError. */
  badSpec: string;
  model: string;
  /** Names of the tests to run (default all of the scenario). */
  only?: string[];
}

export interface TestOutcome {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  /** Facts worth printing in the outer test's report (timings, counts). */
  notes?: Record<string, unknown>;
}

export interface SuiteReport {
  scenario: string;
  done: boolean;
  vscodeVersion: string;
  trusted: boolean;
  results: TestOutcome[];
}

const EXTENSION_ID = 'subnetwork-lens.subnetwork-lens';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number,
  everyMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}


/** The run folder is consistent: every .json parses, no temp files, masks are non-empty. */
function checkConsistent(runDir: string): string[] {
  const files = listFiles(runDir);
  for (const f of files) {
    check(!/\.tmp$/.test(f), `half-written temp file left in the run folder: ${f}`);
    if (f.endsWith('.json')) {
      try {
        readJson(path.join(runDir, f));
      } catch (e) {
        throw new Error(`${f} is not valid JSON: ${(e as Error).message}`);
      }
    }
    if (f.endsWith('.safetensors')) check(fs.statSync(path.join(runDir, f)).size > 8, `${f} is empty`);
  }
  return files;
}

type Test = (api: SubnetworkLensApi, p: SuiteParams, notes: Record<string, unknown>) => Promise<void>;

async function api(): Promise<SubnetworkLensApi> {
  const ext = vscode.extensions.getExtension<SubnetworkLensApi>(EXTENSION_ID);
  check(ext, `extension ${EXTENSION_ID} is not installed in this extension host`);
  return ext.isActive ? ext.exports : ext.activate();
}

const packageJson = async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  return ext.packageJSON as { contributes: { commands: { command: string }[] } };
};

const common: Record<string, Test> = {
  'every contributed command is registered': async (_a, _p, notes) => {
    const contributed = (await packageJson()).contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    check(missing.length === 0, `contributed but not registered: ${missing.join(', ')}`);
    notes.commands = contributed.length;
  },
  'the tree view lists the workspace model': async (a, p, notes) => {
    await vscode.commands.executeCommand('workbench.view.extension.subnetworkLens');
    const roots = (await waitFor('the model in the tree', async () => {
      const nodes = (await a.services.tree.getChildren()) as TreeNode[];
      return nodes.some((n) => n.kind === 'model') ? nodes : undefined;
    }, 15_000)) as TreeNode[];
    const models = roots.filter((n): n is Extract<TreeNode, { kind: 'model' }> => n.kind === 'model');
    check(models.some((m) => path.resolve(m.uri.fsPath) === path.resolve(p.model)),
      `model.onnx missing from the tree: ${models.map((m) => m.uri.fsPath).join(', ')}`);
    const item = a.services.tree.getTreeItem(models[0]!);
    check(item.contextValue === 'model', `contextValue is ${item.contextValue}`);
    // A model at the workspace root is described by its run count only, never by an absolute folder path.
    const description = String(item.description ?? '');
    check(!description.includes(path.sep), `the tree describes the root-level model with a path: '${description}'`);
    notes.models = models.length;
  },
  'the layer graph opens in the read-only custom editor': async (_a, p) => {
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(p.model), 'subnetworkLens.layerGraph');
    await waitFor('the custom editor tab', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputCustom
        && input.viewType === 'subnetworkLens.layerGraph' ? true : undefined;
    }, 10_000);
  },
  'the compute process builds the layer graph view model': async (a, p, notes) => {
    const t0 = Date.now();
    const view = await a.services.views.run('layerGraph', { modelPath: p.model }).result;
    check(view.nodes.length > 2 && view.edges.length > 0,
      `layer graph has ${view.nodes.length} nodes and ${view.edges.length} edges`);
    check(view.model.maskableCount > 0, 'no maskable parameters');
    notes.nodes = view.nodes.length;
    notes.ms = Date.now() - t0;
  },
};

const trusted: Record<string, Test> = {
  'the workspace is trusted': async () => {
    check(vscode.workspace.isTrusted, 'workspace is not trusted');
  },
  'the JSON schema flags an invalid task spec': async (_a, p, notes) => {
    const uri = vscode.Uri.file(path.join(path.dirname(p.spec), 'typo.subnet.json'));
    fs.writeFileSync(uri.fsPath, JSON.stringify({ model: 3, subroutines: {} }, null, 2));
    await vscode.window.showTextDocument(uri);
    const diags = await waitFor('schema diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length > 0 ? d : undefined;
    }, 30_000, 250);
    notes.diagnostics = diags.map((d) => d.message);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    fs.rmSync(uri.fsPath, { force: true });
  },
  'an engine error is shown as a readable message, not a stack trace': async (a, p, notes) => {
    const before = a.services.notices.length;
    const r = await vscode.commands.executeCommand<FindResult | undefined>('subnetworkLens.findSubnetworks',
      { specPath: p.badSpec });
    check(r === undefined, `a bad spec produced a result: ${JSON.stringify(r)}`);
    const shown = a.services.notices.slice(before).filter((n) => n.startsWith('error:'));
    check(shown.length > 0, `no error message was shown; notices: ${a.services.notices.slice(before).join(' | ')}`);
    check(!shown.some((n) => /\n\s+at\s/.test(n) || /\.(ts|js):\d+:\d+/.test(n)),
      `stack trace in: ${shown.join(' | ')}`);
    notes.message = shown.at(-1);
  },
  'Find subnetworks on a small model writes a complete run': async (a, p, notes) => {
    const t0 = Date.now();
    const r = await vscode.commands.executeCommand<FindResult | undefined>('subnetworkLens.findSubnetworks',
      { specPath: p.spec });
    check(r, `Find subnetworks returned nothing; notices: ${a.services.notices.slice(-3).join(' | ')}`);
    check(r.status === 'complete', `status ${r.status}`);
    const info = readJson<RunInfo>(path.join(r.runDir, 'run.json'));
    check(info.status === 'complete', `run.json status is ${info.status}`);
    const files = checkConsistent(r.runDir);
    for (const f of ['run.json', 'results.json']) check(files.includes(f), `${f} missing; files: ${files.join(', ')}`);
    check(files.some((f) => f.endsWith('.safetensors')), `no mask files; files: ${files.join(', ')}`);
    notes.ms = Date.now() - t0;
    notes.files = files.length;
    // The tree picks the run up from disk.
    await waitFor('the complete run in the tree', async () => (await a.services.tree.allRuns()).some((x) =>
      path.resolve(x.dir) === path.resolve(r.runDir) && x.info.status === 'complete') || undefined, 10_000);
  },
  'Ablate subnetwork re-evaluates a saved mask and shows a results table': async (a, _p, notes) => {
    a.services.tree.refresh(0);
    const run = await waitFor('a complete run in the tree (the Find subnetworks test must pass first)', async () =>
      (await a.services.tree.allRuns()).find((r) => r.info.status === 'complete' && r.results), 10_000, 250);
    const subroutine = run.results!.subroutineNames[0]!;
    const seed = run.results!.subroutines[subroutine]!.seeds[0]!.seed;
    const before = a.services.notices.length;
    const r = await vscode.commands.executeCommand<AblateResult | undefined>('subnetworkLens.ablate',
      { runDir: run.dir, subroutine, seed, mode: 'mean', testSets: run.results!.testSets });
    check(r, `no result; notices: ${a.services.notices.slice(before).join(' | ')}`);
    check(r.rows.length === run.results!.testSets.length,
      `${r.rows.length} rows for ${run.results!.testSets.length} test sets`);
    for (const row of r.rows)
      check(row.accuracyAblated >= 0 && row.accuracyAblated <= 1, `accuracy ${row.accuracyAblated} on ${row.testSet}`);
    notes.rows = r.rows;
  },
  'a second Find subnetworks waits in the queue and then runs': async (a, p, notes) => {
    let maxQueued = 0;
    const sub = a.services.queue.onDidChange(() => (maxQueued = Math.max(maxQueued, a.services.queue.queued)));
    try {
      const first =
        vscode.commands.executeCommand<FindResult | undefined>('subnetworkLens.findSubnetworks', { specPath: p.spec });
      const second =
        vscode.commands.executeCommand<FindResult | undefined>('subnetworkLens.findSubnetworks', { specPath: p.spec });
      const [r1, r2] = await Promise.all([first, second]);
      check(r1?.status === 'complete' && r2?.status === 'complete', `statuses ${r1?.status} and ${r2?.status}`);
      check(r1.runDir !== r2.runDir, 'both jobs wrote the same run folder');
      check(maxQueued === 1, `queue length peaked at ${maxQueued}, expected 1`);
      notes.maxQueued = maxQueued;
    } finally {
      sub.dispose();
    }
  },
  'a run written outside VS Code (e.g. by the CLI) appears in the tree without a refresh': async (a, _p, notes) => {
    const run = await waitFor('a complete run', async () =>
      (await a.services.tree.allRuns()).find((r) => r.info.status === 'complete' && r.results), 10_000, 250);
    const copy = path.join(path.dirname(run.dir), `${path.basename(run.dir)}-cli`);
    const t0 = Date.now();
    fs.cpSync(run.dir, copy, { recursive: true });
    await waitFor('the copied run in the tree', async () => (await a.services.tree.allRuns()).some((r) =>
      path.resolve(r.dir) === path.resolve(copy)) || undefined, 15_000, 100);
    notes.appearedAfterMs = Date.now() - t0;
    fs.rmSync(copy, { recursive: true, force: true });
  },
  'Compare subnetworks writes a side-by-side table with the overlap matrix': async (a, _p, notes) => {
    const run = await waitFor('a complete run', async () =>
      (await a.services.tree.allRuns()).find((r) => r.info.status === 'complete' && r.results), 10_000, 250);
    const file =
      await vscode.commands.executeCommand<string | undefined>('subnetworkLens.compare', { runDirs: [run.dir] });
    check(file && fs.existsSync(file), `no comparison file: ${file}`);
    const text = fs.readFileSync(file, 'utf8');
    for (const name of run.results!.subroutineNames)
      check(text.includes(`| ${name} |`), `${name} missing from the comparison`);
    check(/IoU \(IoMin\)/.test(text), 'no overlap matrix');
    notes.lines = text.split('\n').length;
  },
  'Export pruned or ablated model writes an ONNX file the layer graph can read': async (a, p, notes) => {
    const run = await waitFor('a complete run', async () =>
      (await a.services.tree.allRuns()).find((r) => r.info.status === 'complete' && r.results), 10_000, 250);
    const subroutine = run.results!.subroutineNames[0]!;
    const seed = run.results!.subroutines[subroutine]!.seeds[0]!.seed;
    const outPath = path.join(path.dirname(p.model), 'exported.pruned.onnx');
    const r = await vscode.commands.executeCommand<ExportModelResult | undefined>('subnetworkLens.exportModel',
      { runDir: run.dir, subroutine, seed, mode: 'keep-only', outPath });
    check(r, `no result; notices: ${a.services.notices.slice(-2).join(' | ')}`);
    check(fs.existsSync(outPath) && fs.statSync(outPath).size > 0, 'the exported model is missing');
    check(r.changedWeights > 0 && r.changedWeights <= r.maskedWeights,
      `changed ${r.changedWeights} of ${r.maskedWeights}`);
    const view = await a.services.views.run('layerGraph', { modelPath: outPath }).result;
    check(view.nodes.length > 2, 'the exported model has no graph');
    notes.changed = `${r.changedWeights}/${r.maskedWeights}`;
  },
  'Cancel run stops a running job within about a second and leaves it marked cancelled': async (a, p, notes) => {
    const running = vscode.commands.executeCommand<FindResult | undefined>('subnetworkLens.findSubnetworks',
      { specPath: p.slowSpec });
    await waitFor('training progress', () => (a.services.queue.current?.last?.phase === 'train-mask'
      || (a.services.queue.current?.fraction ?? 0) > 0.02 ? true : undefined), 120_000, 50);
    notes.progressAtCancel = a.services.queue.current?.last;
    const t0 = Date.now();
    await vscode.commands.executeCommand('subnetworkLens.cancelRun');
    const r = await running;
    const stopMs = Date.now() - t0;
    notes.stopMs = stopMs;
    check(r, 'the cancelled job returned nothing');
    check(r.status === 'cancelled', `status ${r.status}`);
    check(stopMs < 2500, `took ${stopMs} ms to stop`);
    const info = await waitFor('run.json', () => (fs.existsSync(path.join(r.runDir, 'run.json'))
      ? readJson<RunInfo>(path.join(r.runDir, 'run.json')) : undefined), 5_000);
    check(info.status === 'cancelled', `run.json status is ${info.status}`);
    notes.files = checkConsistent(r.runDir).length;
    notes.done = `${info.done?.length}/${info.total}`;
  },
};

/** Runs `body` with `subnetworkLens.parallelJobs` (and `threads`) set, then restores the settings. */
async function withParallelJobs<T>(jobs: string, body: () => Promise<T>, threads?: number): Promise<T> {
  const config = () => vscode.workspace.getConfiguration('subnetworkLens');
  const global = vscode.ConfigurationTarget.Global;
  await config().update('parallelJobs', jobs, global);
  await config().update('threads', threads, global);
  try {
    return await body();
  } finally {
    await config().update('parallelJobs', undefined, global);
    await config().update('threads', undefined, global);
  }
}

const find = (specPath: string) => async () =>
  vscode.commands.executeCommand<FindResult | undefined>('subnetworkLens.findSubnetworks', { specPath });

interface ShardFile { index: number; count: number; pid: number; state: string }
const shardFiles = (runDir: string): ShardFile[] => ['0', '1']
  .map((k) => path.join(runDir, 'shards', `shard-${k}-of-2.json`))
  .filter((f) => fs.existsSync(f)).map((f) => readJson<ShardFile>(f));

const parallel: Record<string, Test> = {
  'parallelJobs 2: two compute processes, one notification, the results of one process': async (a, p, notes) => {
    // One thread per process in both runs: the same arithmetic, so the same masks byte for byte.
    const one = await withParallelJobs('1', find(p.spec), 1);
    check(one?.status === 'complete', `one process: status ${one?.status}`);
    const messages = new Set<string>();
    const sub = a.services.queue.onDidChange(() => {
      const m = a.services.queue.current?.last?.message;
      if (m) messages.add(m.replace(/:.*/, ''));
    });
    let r: FindResult | undefined;
    try {
      r = await withParallelJobs('2', find(p.spec), 1);
    } finally {
      sub.dispose();
    }
    check(r?.status === 'complete', `status ${r?.status}; notices: ${a.services.notices.slice(-2).join(' | ')}`);
    const shards = shardFiles(r.runDir);
    check(shards.length === 2 && shards.every((s) => s.state === 'done'), `shard records: ${JSON.stringify(shards)}`);
    check(shards[0]!.pid !== shards[1]!.pid, 'both shards ran in one process');
    check(messages.has('process 1/2') && messages.has('process 2/2'), `progress from ${[...messages].join(', ')}`);
    checkConsistent(r.runDir);
    sameRunResults(one.runDir, r.runDir);
    notes.progressFrom = [...messages];
  },
  'parallelJobs 2: Cancel run stops both processes and the run is cancelled': async (a, p, notes) => {
    const r = await withParallelJobs('2', async () => {
      const running = find(p.slowSpec)();
      const training = () => (a.services.queue.current?.last?.phase === 'train-mask' ? true : undefined);
      await waitFor('training progress', training, 120_000, 50);
      const t0 = Date.now();
      await vscode.commands.executeCommand('subnetworkLens.cancelRun');
      const result = await running;
      notes.stopMs = Date.now() - t0;
      return result;
    });
    check(r?.status === 'cancelled', `status ${r?.status}`);
    const info = readJson<RunInfo>(path.join(r.runDir, 'run.json'));
    check(info.status === 'cancelled', `run.json status is ${info.status}`);
    const shards = shardFiles(r.runDir);
    const stopped = shards.length === 2 && shards.every((s) => s.state === 'stopped');
    check(stopped, `shard records: ${JSON.stringify(shards)}`);
    check(!fs.existsSync(path.join(r.runDir, 'locks')), 'a shard lock was left behind');
    checkConsistent(r.runDir);
  },
  'a planned run is queued; a run naming a model outside the workspace is a problem row': async (a, p, notes) => {
    const runs = path.join(path.dirname(p.model), '.subnetwork-lens', 'runs');
    const queued = path.join(runs, 'planned-for-slurm');
    const escape = path.join(runs, 'points-outside');
    fs.mkdirSync(queued, { recursive: true });
    fs.mkdirSync(escape, { recursive: true });
    const plan = { scheduler: 'slurm', shards: 3, items: 6, specPath: p.spec, model: p.model, seeds: [0],
      subroutines: ['A'], created: new Date().toISOString() };
    fs.writeFileSync(path.join(queued, 'plan.json'), JSON.stringify(plan));
    const outside = { id: 'x', model: '/etc/passwd', status: 'complete' };
    fs.writeFileSync(path.join(escape, 'run.json'), JSON.stringify(outside));
    try {
      a.services.tree.refresh(0);
      const found = await waitFor('the queued run and the problem row', async () => {
        const roots = (await a.services.tree.getChildren()) as TreeNode[];
        const model = roots.find((n): n is Extract<TreeNode, { kind: 'model' }> => n.kind === 'model'
          && path.resolve(n.uri.fsPath) === path.resolve(p.model));
        const children = model ? (await a.services.tree.getChildren(model)) as TreeNode[] : [];
        const q = children.find((n) => n.kind === 'queued');
        const problem = roots.find((n) => n.kind === 'message' && n.text.includes('points-outside'));
        return q && problem ? { q, problem, roots } : undefined;
      }, 15_000, 250);
      const description = String(a.services.tree.getTreeItem(found.q).description);
      check(description.startsWith('queued (0 of 3 shards started)'), `queued run described as '${description}'`);
      const text = (found.problem as Extract<TreeNode, { kind: 'message' }>).text;
      check(/lies outside the workspace, so it is not opened/.test(text), `problem row: ${text}`);
      const models = found.roots.filter((n) => n.kind === 'model') as Extract<TreeNode, { kind: 'model' }>[];
      check(!models.some((m) => m.uri.fsPath === '/etc/passwd'), 'a model row for /etc/passwd');
      notes.queued = description;
      notes.problem = text;
    } finally {
      fs.rmSync(queued, { recursive: true, force: true });
      fs.rmSync(escape, { recursive: true, force: true });
      // Later UI tests click the first run rows: the removed rows must be gone from the tree first.
      a.services.tree.refresh(0);
      await waitFor('the removed rows gone from the tree', async () => {
        const roots = (await a.services.tree.getChildren()) as TreeNode[];
        const models = roots.filter((n): n is Extract<TreeNode, { kind: 'model' }> => n.kind === 'model');
        const problem = roots.some((n) => n.kind === 'message' && n.text.includes('points-outside'));
        const left = problem || models.some((m) => m.queued.length > 0);
        return left ? undefined : true;
      }, 15_000, 250);
    }
  },
};

const untrusted: Record<string, Test> = {
  'the workspace is in Restricted Mode': async () => {
    check(!vscode.workspace.isTrusted, 'workspace is trusted');
  },
  'Find subnetworks explains that it needs trust and starts nothing': async (a, p, notes) => {
    const before = a.services.notices.length;
    const r = await vscode.commands.executeCommand('subnetworkLens.findSubnetworks', { specPath: p.spec });
    check(r === undefined, `it ran: ${JSON.stringify(r)}`);
    const shown = a.services.notices.slice(before);
    check(shown.some((n) => /trusted workspace/.test(n)), `no explanation shown: ${shown.join(' | ')}`);
    check(a.services.jobs.pid === undefined, 'a compute process was started for training');
    notes.message = shown.at(-1);
  },
  'Ablate subnetwork is refused too': async (a) => {
    const before = a.services.notices.length;
    await vscode.commands.executeCommand('subnetworkLens.ablate');
    check(a.services.notices.slice(before).some((n) => /trusted workspace/.test(n)), 'no explanation shown');
  },
};

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('the integration tests need a workspace folder');
  const p = readJson<SuiteParams>(path.join(folder, '.subnetwork-lens-test.json'));
  const report: SuiteReport = { scenario: p.scenario, done: false, vscodeVersion: vscode.version,
    trusted: vscode.workspace.isTrusted, results: [] };
  const flush = () => {
    const tmp = `${p.resultsFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(report, null, 2));
    fs.renameSync(tmp, p.resultsFile);
  };
  flush();
  const tests = { ...common, ...(p.scenario === 'trusted' ? { ...trusted, ...parallel } : untrusted) };
  let a: SubnetworkLensApi | undefined;
  try {
    // The test module starts before the workbench has registered the extension's contributions
    // (views arrive late in code-server). Activating before the view exists leaves the tree view
    // unbound in the UI, so first wait until the view container opens — that also activates the
    // extension the way a user does (onView).
    await waitFor('the Subnetwork Lens view container', async () => {
      try {
        await vscode.commands.executeCommand('workbench.view.extension.subnetworkLens');
        return true;
      } catch {
        return undefined;
      }
    }, 60_000, 250);
    a = await api();
  } catch (e) {
    report.results.push({ name: 'the extension activates', ok: false, ms: 0, error: String((e as Error)?.stack ?? e) });
    report.done = true;
    flush();
    return;
  }
  report.results.push({ name: 'the extension activates', ok: true, ms: 0 });
  for (const [name, test] of Object.entries(tests)) {
    if (p.only && !p.only.includes(name)) continue;
    const notes: Record<string, unknown> = {};
    const t0 = Date.now();
    try {
      await test(a, p, notes);
      report.results.push({ name, ok: true, ms: Date.now() - t0, notes });
    } catch (e) {
      report.results.push({ name, ok: false, ms: Date.now() - t0, error: (e as Error)?.message ?? String(e), notes });
    }
    flush();
  }
  report.done = true;
  flush();
  // When run() returns, the workbench shuts this extension host down. Keep it alive until the outer
  // test has finished driving the UI (it creates `<resultsFile>.release`), at most 15 minutes.
  const release = `${p.resultsFile}.release`;
  const t0 = Date.now();
  while (!fs.existsSync(release) && Date.now() - t0 < 15 * 60_000) await sleep(250);
}
