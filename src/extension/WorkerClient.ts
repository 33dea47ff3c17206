// The host's side of src/shared/workerProtocol.ts, the extension's only way to run a job: forks the
// compute process on first use, sends jobs, routes progress, and cancels — politely first, then by killing
// the process if it does not stop in time.
// With `timeoutMs`, a watchdog kills a process that has not answered a job in time (a model that loops
// or allocates without end) and the next job starts a fresh one. The host only waits on IPC: it never
// blocks. No `vscode` import, so it is unit-tested with a real child process.
import { fork, type ChildProcess } from 'node:child_process';
import { computeProcessEnv } from '../core/util/computeProcessEnv';
import { isEnvelopeOf, type Envelope } from '../shared/envelope';
import type { ProgressEvent } from '../shared/jobs';
import { FROM_WORKER, type FromWorker, type ToWorker } from '../shared/workerProtocol';
import { RemoteError, type WireError } from '../shared/wireError';
import type { JobMap, JobName } from '../jobs/jobMap';

export interface JobHandle<R> {
  readonly id: number;
  readonly result: Promise<R>;
  /** Asks the job to stop; kills the worker when it has not finished `cancelGraceMs` later. */
  cancel(): void;
  /** True once the worker had to be killed to stop this job (its run was not marked by the engine). */
  readonly hardKilled: boolean;
}

export interface WorkerClientOptions {
  /** Path of the worker entry (dist/worker.js). */
  workerPath: string;
  /** Output channel sink. */
  log: (line: string) => void;
  /** How long a cancelled job may take to stop before the process is killed (default 1000 ms). */
  cancelGraceMs?: number;
  /** Extra node flags for the child (tests use `--import tsx`). */
  execArgv?: string[];
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /** A job not answered within this many ms fails and the process is killed (restarted on the next job). */
  timeoutMs?: number;
}

interface Pending {
  job: JobName;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (event: ProgressEvent) => void;
  killTimer?: NodeJS.Timeout;
  watchdog?: NodeJS.Timeout;
  handle: { hardKilled: boolean };
  /** The process the job was sent to: only its exit settles the job. */
  child?: ChildProcess;
}

export class WorkerClient {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  /** Why a process was killed by this client, for the jobs its exit settles. */
  private readonly killedFor = new WeakMap<ChildProcess, string>();

  constructor(private readonly options: WorkerClientOptions) {}

  /** Process id of the running worker, if one is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  run<K extends JobName>(
    job: K, options: JobMap[K]['options'], onProgress?: (event: ProgressEvent) => void,
  ): JobHandle<JobMap[K]['result']> {
    const id = this.nextId++;
    const state = { hardKilled: false };
    const result = new Promise<JobMap[K]['result']>((resolve, reject) => {
      if (this.disposed) {
        reject(new RemoteError({ name: 'WorkerError', message: 'the compute process was shut down' }));
        return;
      }
      const entry: Pending = { job, resolve: resolve as (v: unknown) => void, reject, onProgress, handle: state };
      this.pending.set(id, entry);
      try {
        entry.child = this.send({ messageId: id, wantsReply: true, body: { type: 'runJob', job, options } });
        if (this.options.timeoutMs) entry.watchdog = setTimeout(() => this.timeOut(id), this.options.timeoutMs);
      } catch (e) {
        this.pending.delete(id);
        const message = `could not start the compute process: ${(e as Error).message}`;
        reject(new RemoteError({ name: 'WorkerError', message }));
      }
    });
    return {
      id,
      result,
      cancel: () => this.cancel(id),
      get hardKilled() {
        return state.hardKilled;
      },
    };
  }

  /** Sends cancel for job `id`; if it is still running after the grace period, kills the worker. */
  cancel(id: number): void {
    const p = this.pending.get(id);
    if (!p || p.killTimer) return;
    try {
      this.send({ messageId: this.nextId++, body: { type: 'cancelJob', request: id } });
    } catch {
      // The channel is gone; the exit handler settles the job.
    }
    p.killTimer = setTimeout(() => {
      if (!this.pending.has(id)) return;
      this.options.log(`job ${id} did not stop within ${this.grace} ms of cancel; stopping the compute process`);
      p.handle.hardKilled = true;
      this.kill('cancelled');
    }, this.grace);
  }

  /**
   * Shuts the worker down: closing the IPC channel makes it abort its jobs (which mark their runs
   * cancelled) and exit; it is killed if it is still there `cancelGraceMs` + 500 ms later.
   */
  dispose(): void {
    this.disposed = true;
    const child = this.child;
    if (!child) return;
    if (this.pending.size === 0 || !child.connected) {
      this.kill('shutdown');
      return;
    }
    this.options.log(`closing compute process (pid ${child.pid}); its jobs are cancelled`);
    try {
      child.disconnect();
    } catch {
      // already disconnected
    }
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, this.grace + 500).unref();
  }

  private get grace(): number {
    return this.options.cancelGraceMs ?? 1000;
  }

  private send(message: Envelope<ToWorker>): ChildProcess {
    const child = this.ensureChild();
    child.send(message);
    return child;
  }

  /** The watchdog fired: job `id` fails with a clear message and its process is killed. */
  private timeOut(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    const seconds = (this.options.timeoutMs ?? 0) / 1000;
    this.settle(id, p);
    p.reject(new RemoteError({
      name: 'WorkerTimeoutError',
      message: `the compute process did not answer within ${seconds} s (the model may loop or allocate without end); `
        + 'it was stopped and starts afresh on the next request',
    }));
    this.options.log(`job ${id} (${p.job}) timed out after ${seconds} s; stopping the compute process`);
    if (p.child) this.killChild(p.child, 'timeout');
  }

  private settle(id: number, p: Pending): void {
    this.pending.delete(id);
    if (p.killTimer) clearTimeout(p.killTimer);
    if (p.watchdog) clearTimeout(p.watchdog);
  }

  private ensureChild(): ChildProcess {
    if (this.child && this.child.connected) return this.child;
    const child = fork(this.options.workerPath, [], {
      serialization: 'advanced',
      env: { ...computeProcessEnv({ ...process.env, ...this.options.env }), ELECTRON_RUN_AS_NODE: '1' },
      execArgv: this.options.execArgv ?? [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.options.log(`compute process started (pid ${child.pid})`);
    const forward = (stream: NodeJS.ReadableStream | null, label: string) => {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.options.log(`[worker ${label}] ${line}`);
      });
    };
    forward(child.stdout, 'out');
    forward(child.stderr, 'err');
    child.on('message', (m) => this.onMessage(m));
    child.on('error', (e) => this.options.log(`compute process error: ${e.message}`));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    this.child = child;
    return child;
  }

  private onMessage(message: unknown): void {
    if (!isEnvelopeOf<FromWorker>(message, FROM_WORKER)) return;
    const { body, inReplyTo, error } = message;
    if (inReplyTo !== undefined) {
      const p = this.pending.get(inReplyTo);
      if (!p) return;
      this.settle(inReplyTo, p);
      if (body?.type === 'jobResult') p.resolve(body.result);
      else p.reject(new RemoteError(error ?? { name: 'WorkerError', message: 'the compute process answered nothing' }));
      return;
    }
    if (body?.type === 'workerLog') this.options.log(body.message);
    else if (body?.type === 'jobProgress') this.pending.get(body.request)?.onProgress?.(body.event);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) this.child = undefined;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (this.pending.size > 0 || (code !== 0 && code !== null)) this.options.log(`compute process ended (${how})`);
    for (const [id, p] of this.pending) {
      if (p.child !== child) continue;
      this.settle(id, p);
      p.reject(new RemoteError(this.exitError(child, p, how)));
    }
  }

  private exitError(child: ChildProcess, p: Pending, how: string): WireError {
    if (p.handle.hardKilled || this.disposed) return { name: 'AbortError', message: 'cancelled' };
    if (this.killedFor.get(child) === 'timeout') {
      const message = 'the compute process was restarted because another request timed out';
      return { name: 'WorkerTimeoutError', message };
    }
    return { name: 'WorkerCrashedError', message: `the compute process stopped unexpectedly (${how})` };
  }

  private kill(reason: string): void {
    if (this.child) this.killChild(this.child, reason);
  }

  /** Kills `child`; the next job forks a new process at once instead of writing to the dying one. */
  private killChild(child: ChildProcess, reason: string): void {
    this.options.log(`stopping compute process (pid ${child.pid}, ${reason})`);
    // Mark the remaining jobs so the exit handler reports a cancellation, not a crash.
    for (const p of this.pending.values()) if (reason === 'cancelled' && p.child === child) p.handle.hardKilled = true;
    if (this.child === child) this.child = undefined;
    this.killedFor.set(child, reason);
    child.kill('SIGKILL');
  }
}
