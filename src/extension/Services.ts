// What the commands share: the log, the two compute processes, the job queue, the tree.
import * as vscode from 'vscode';
import type { Log } from './Log';
import type { JobQueue } from './JobQueue';
import type { RunsTreeProvider } from './RunsTreeProvider';
import type { WorkerClient } from './WorkerClient';
import { userMessage } from './userMessage';

export interface Services {
  context: vscode.ExtensionContext;
  log: Log;
  /** Long jobs (find, ablate, export), one at a time through `queue`; killed on hard cancel. */
  jobs: WorkerClient;
  /** Another compute process for the further shards of a parallel find; its caller disposes it. */
  spawnWorker(label: string): WorkerClient;
  /**
   * Short view requests (layer graphs); separate so a hard cancel never takes a view down. Watched: a
   * request not answered in time kills and restarts it. It runs a model only in a trusted workspace.
   */
  views: WorkerClient;
  queue: JobQueue;
  tree: RunsTreeProvider;
  /** Messages shown to the user, newest last (read by the integration tests through the API). */
  notices: string[];
}

function remember(s: Services, level: string, text: string): void {
  s.notices.push(`${level}: ${text}`);
  if (s.notices.length > 50) s.notices.shift();
}

export function info(s: Services, text: string, ...actions: string[]): Thenable<string | undefined> {
  remember(s, 'info', text);
  s.log.info(text);
  return vscode.window.showInformationMessage(text, ...actions);
}

export function warn(s: Services, text: string, ...actions: string[]): Thenable<string | undefined> {
  remember(s, 'warning', text);
  s.log.warn(text);
  return vscode.window.showWarningMessage(text, ...actions);
}

/** Shows `e` as one readable sentence (never a stack) with a button to the log. */
export function showError(s: Services, e: unknown, context: string): void {
  const text = userMessage(e, context);
  remember(s, 'error', text);
  s.log.error(text);
  void vscode.window.showErrorMessage(text, 'Show log').then((a) => {
    if (a) s.log.show();
  });
}

/**
 * Training and ablations execute the model: only in a trusted workspace. In Restricted Mode this
 * explains why and offers the trust editor; returns false.
 */
export function requireTrust(s: Services, action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void warn(
    s,
    `${action} runs the model and reads datasets on your machine, so it needs a trusted workspace. `
      + 'In Restricted Mode you can still view models, layer graphs and saved runs.',
    'Manage Workspace Trust',
  ).then((a) => {
    if (a) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
