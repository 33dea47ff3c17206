// Find subnetworks / Resume run: choose the spec, queue the job in the compute process, report the outcome.
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FindOptions, FindResult, ProgressEvent } from '../shared/jobs';
import { deviceOption, parallelJobsOption, resultsFolder, threadsOption } from './config';
import { markRunCancelled } from '../core/runStore/markRunCancelled';
import { chooseParallelism } from './chooseParallelism';
import { runShardedFind } from './runShardedFind';
import type { WorkerClient } from './WorkerClient';
import { pickModel, pickRun } from './pickers';
import { info, requireTrust, showError, warn, type Services } from './Services';
import { chooseSpec } from './specFlow';
import { isCancellation } from './userMessage';

/** A run folder name like `2025-01-31T12-00-00-ab12` (sortable, unique enough). */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().slice(0, 19).replace(/:/g, '-')}-${crypto.randomBytes(2).toString('hex')}`;
}

/** Command argument the tests (and other extensions) may pass instead of a model. */
interface FindArgs {
  specPath?: string;
}

export async function findSubnetworks(s: Services, arg?: unknown): Promise<FindResult | undefined> {
  const action = 'Find subnetworks';
  if (!requireTrust(s, action)) return undefined;
  let spec: vscode.Uri | undefined;
  const explicit = arg && typeof arg === 'object' && !(arg instanceof vscode.Uri)
    ? (arg as FindArgs).specPath
    : undefined;
  if (explicit) {
    spec = vscode.Uri.file(explicit);
  } else if (arg instanceof vscode.Uri && /\.subnet\.json$/i.test(arg.fsPath)) {
    spec = arg;
  } else {
    const model = await pickModel(arg, action);
    if (!model) return undefined;
    spec = await chooseSpec(model);
  }
  if (!spec) return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(spec);
  if (!folder) {
    void warn(s, `${spec.fsPath} is not inside an open workspace folder; runs are saved in the workspace.`);
    return undefined;
  }
  const outDir = path.join(resultsFolder(folder), newRunId());
  return runFindJob(s, `${action}: ${path.basename(spec.fsPath)}`, {
    specPath: spec.fsPath,
    outDir,
    workspaceRoot: folder.uri.fsPath,
    device: deviceOption(),
  });
}

export async function resumeRun(s: Services, arg?: unknown): Promise<FindResult | undefined> {
  if (!requireTrust(s, 'Resume run')) return undefined;
  const run = await pickRun(s, arg, 'Resume run', (r) => r.info.status === 'cancelled' || r.info.status === 'failed');
  if (!run) return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(run.info.specPath));
  return runFindJob(s, `Resume run ${run.info.id}`, {
    specPath: run.info.specPath,
    outDir: run.dir,
    resume: run.dir,
    workspaceRoot: folder?.uri.fsPath,
    device: deviceOption(),
  });
}

/** Runs the find in one compute process, or as shards in several when the cores allow (chooseParallelism). */
function startFind(s: Services, options: FindOptions, onProgress: (event: ProgressEvent) => void) {
  const cores = os.availableParallelism();
  const { jobs, threads } = chooseParallelism(parallelJobsOption(), threadsOption(), cores, options.device);
  if (jobs === 1) return { handle: s.jobs.run('find', { ...options, threads }, onProgress), extra: [] };
  s.log.info(`${jobs} compute processes of ${threads} thread(s) each (${cores} cores, subnetworkLens.parallelJobs)`);
  const extra: WorkerClient[] = Array.from({ length: jobs - 1 }, (_, k) => s.spawnWorker(`process ${k + 2}`));
  return { handle: runShardedFind([s.jobs, ...extra], options, threads!, onProgress), extra };
}

function afterHardKill(s: Services, runDir: string): void {
  try {
    const r = markRunCancelled(runDir);
    const live = r.liveShards ? `, ${r.liveShards} shard(s) of other processes still running` : '';
    const state = r.marked ? 'marked cancelled' : `left as ${r.status ?? 'missing'}`;
    s.log.info(`run ${runDir}: ${state}; ${r.tempFilesRemoved} temp file(s) removed${live}`);
  } catch (e) {
    s.log.warn(`run ${runDir} could not be marked cancelled: ${(e as Error).message}`);
  }
}

async function runFindJob(s: Services, title: string, options: FindOptions): Promise<FindResult | undefined> {
  const runDir = options.outDir!;
  s.log.info(`${title}: spec ${options.specPath}, run folder ${runDir}`);
  let extra: WorkerClient[] = [];
  try {
    const result = await s.queue.enqueue<FindResult>({
      title,
      start: (onProgress) => {
        const started = startFind(s, options, onProgress);
        extra = started.extra;
        return started.handle;
      },
      afterHardKill: () => afterHardKill(s, runDir),
    });
    s.tree.refresh(0);
    const relativeDir = vscode.workspace.asRelativePath(result.runDir);
    if (result.status === 'complete') {
      void info(s, `${title}: done. Results are in ${relativeDir}.`, 'Open report').then((a) => {
        if (a) void vscode.commands.executeCommand('subnetworkLens.openReport', { runDir: result.runDir });
      });
      void vscode.commands.executeCommand('subnetworkLens.openReport', { runDir: result.runDir });
    } else if (result.status === 'cancelled') {
      void info(s, `${title}: cancelled. What was saved is kept in ${relativeDir}; `
        + `resume it from the run's context menu.`);
    } else {
      void warn(s, `${title}: the run failed; see ${relativeDir}/run.json and the log.`);
    }
    return result;
  } catch (e) {
    s.tree.refresh(0);
    if (isCancellation(e)) {
      void info(s, `${title}: cancelled. What was saved is kept in ${vscode.workspace.asRelativePath(runDir)}.`);
      return { runDir, status: 'cancelled' };
    }
    showError(s, e, title);
    return undefined;
  } finally {
    for (const w of extra) w.dispose();
  }
}

export async function cancelRun(s: Services): Promise<boolean> {
  const current = s.queue.current;
  if (!current) {
    void info(s, 'No Subnetwork Lens job is running.');
    return false;
  }
  if (s.queue.queued > 0) {
    const pick = await vscode.window.showQuickPick(
      ['Cancel the running job', 'Cancel the running job and the queued ones'],
      { title: `Cancel: ${current.title}` },
    );
    if (!pick) return false;
    if (pick.endsWith('queued ones')) {
      s.queue.cancelAll();
      return true;
    }
  }
  return s.queue.cancelCurrent();
}
