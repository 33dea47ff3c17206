// Runs jobs one at a time, each with a cancellable progress notification and a status-bar item.
import * as vscode from 'vscode';
import type { ProgressEvent } from '../shared/jobs';
import type { JobHandle } from './WorkerClient';
import type { Log } from './Log';
import { progressText } from './progressText';
import { isCancellation } from './userMessage';

export interface QueuedJob<R> {
  /** Shown in the notification title and the status bar, e.g. "Find subnetworks: model.onnx". */
  title: string;
  start(onProgress: (event: ProgressEvent) => void): JobHandle<R>;
  /** After the worker had to be killed to stop the job: make what is on disk consistent. */
  afterHardKill?(): Promise<void> | void;
}

interface Entry {
  job: QueuedJob<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  cancelled: boolean;
}

export interface RunningJob {
  title: string;
  fraction: number;
  last?: ProgressEvent;
}

export class JobQueue implements vscode.Disposable {
  private readonly waiting: Entry[] = [];
  private running: { entry: Entry; handle?: JobHandle<unknown>; state: RunningJob } | undefined;
  private readonly status: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a job starts, reports progress, or ends. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Log) {
    this.status = vscode.window.createStatusBarItem('subnetworkLens.job', vscode.StatusBarAlignment.Left, 10);
    this.status.name = 'Subnetwork Lens job';
    this.status.command = 'subnetworkLens.showLog';
  }

  get current(): RunningJob | undefined {
    return this.running?.state;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with the job's result once it ran; rejects with its error (AbortError when cancelled). */
  enqueue<R>(job: QueuedJob<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({
        job: job as QueuedJob<unknown>, resolve: resolve as (v: unknown) => void, reject, cancelled: false,
      });
      if (this.running) {
        this.log.info(`queued: ${job.title} (${this.waiting.length} waiting)`);
        void vscode.window.showInformationMessage(
          `Subnetwork Lens: "${job.title}" is queued and starts when the current job ends.`,
        );
        this.update();
      } else {
        void this.next();
      }
    });
  }

  /** Cancels the running job. Returns false when nothing runs. */
  cancelCurrent(): boolean {
    const r = this.running;
    if (!r) return false;
    r.entry.cancelled = true;
    this.log.info(`cancelling: ${r.state.title}`);
    r.handle?.cancel();
    return true;
  }

  /** Drops every waiting job (each rejects with AbortError) and cancels the running one. */
  cancelAll(): void {
    for (const e of this.waiting.splice(0)) e.reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
    this.cancelCurrent();
    this.update();
  }

  dispose(): void {
    this.cancelAll();
    this.status.dispose();
    this.changed.dispose();
  }

  private async next(): Promise<void> {
    const entry = this.waiting.shift();
    if (!entry) {
      this.running = undefined;
      this.update();
      return;
    }
    const state: RunningJob = { title: entry.job.title, fraction: 0 };
    this.running = { entry, state };
    this.update();
    this.log.info(`started: ${entry.job.title}`);
    const t0 = Date.now();
    try {
      const value = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: entry.job.title, cancellable: true },
        async (progress, token) => {
          let reported = 0;
          const handle = entry.job.start((event) => {
            const fraction = Math.max(0, Math.min(1, event.fraction));
            const increment = Math.max(0, fraction - reported) * 100;
            reported = Math.max(reported, fraction);
            state.fraction = reported;
            state.last = event;
            progress.report({ increment, message: `${Math.round(100 * reported)} % · ${progressText(event)}` });
            this.update();
          });
          this.running!.handle = handle;
          if (entry.cancelled) handle.cancel();
          token.onCancellationRequested(() => this.cancelCurrent());
          try {
            return await handle.result;
          } finally {
            if (handle.hardKilled) await entry.job.afterHardKill?.();
          }
        },
      );
      this.log.info(`finished: ${entry.job.title} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      entry.resolve(value);
    } catch (e) {
      const seconds = ((Date.now() - t0) / 1000).toFixed(1);
      if (isCancellation(e)) this.log.info(`cancelled: ${entry.job.title} after ${seconds} s`);
      else this.log.error(`failed: ${entry.job.title}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
      entry.reject(e);
    }
    void this.next();
  }

  private update(): void {
    const r = this.running;
    void vscode.commands.executeCommand('setContext', 'subnetworkLens.jobRunning', !!r);
    if (!r) {
      this.status.hide();
    } else {
      const pct = Math.round(100 * r.state.fraction);
      const more = this.waiting.length ? ` (+${this.waiting.length} queued)` : '';
      this.status.text = `$(loading~spin) Subnetwork Lens ${pct} %${more}`;
      const last = r.state.last ? `\n${progressText(r.state.last)}` : '';
      this.status.tooltip = `${r.state.title}${last}\n`
        + 'Click to show the log. Stop it with "Subnetwork Lens: Cancel run".';
      this.status.show();
    }
    this.changed.fire();
  }
}
