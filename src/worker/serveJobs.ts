// The worker's side of src/shared/workerProtocol.ts: runs each requested job with an AbortSignal and
// a progress callback, answers every request exactly once (result or error), aborts on cancel.
import type { JobHooks } from '../shared/jobs';
import { isToWorker, type FromWorker, type JobKind, type JobMap, type RunRequest } from '../shared/workerProtocol';
import { toWireError } from '../shared/wireError';

export type JobHandlers = { [K in JobKind]: (options: JobMap[K]['options'], hooks: JobHooks) => Promise<JobMap[K]['result']> };

/** The IPC end the worker talks through: `process` in the child, a fake in tests. */
export interface WorkerPort {
  send(message: FromWorker): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** Progress events are throttled to this interval per job (the last one before the result always goes out). */
const PROGRESS_INTERVAL_MS = 100;

/** Serves jobs until the port closes. Returns a function that aborts every running job. */
export function serveJobs(port: WorkerPort, handlers: JobHandlers): () => void {
  const running = new Map<number, AbortController>();

  const run = async (request: RunRequest): Promise<void> => {
    const { id, kind } = request;
    const controller = new AbortController();
    running.set(id, controller);
    let lastSent = 0;
    let pending: FromWorker | undefined;
    const hooks: JobHooks = {
      signal: controller.signal,
      onLog: (message) => port.send({ type: 'log', message }),
      onProgress(event) {
        const message: FromWorker = { type: 'progress', id, event };
        const now = Date.now();
        if (now - lastSent >= PROGRESS_INTERVAL_MS) {
          lastSent = now;
          pending = undefined;
          port.send(message);
        } else {
          pending = message;
        }
      },
    };
    try {
      const handler = handlers[kind] as (options: unknown, hooks: JobHooks) => Promise<unknown>;
      if (!handler) throw new Error(`unknown job kind '${String(kind)}'`);
      const result = await handler(request.options, hooks);
      if (pending) port.send(pending);
      port.send({ type: 'result', id, kind, result } as FromWorker);
    } catch (e) {
      if (pending) port.send(pending);
      // After a cancel, whatever the job threw while unwinding is reported as the cancellation.
      const error = controller.signal.aborted ? { name: 'AbortError', message: 'cancelled' } : toWireError(e);
      port.send({ type: 'error', id, error });
    } finally {
      running.delete(id);
    }
  };

  port.onMessage((message) => {
    if (!isToWorker(message)) {
      port.send({ type: 'log', message: `worker: ignored a malformed message ${JSON.stringify(message)?.slice(0, 200)}` });
      return;
    }
    if (message.type === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    void run(message);
  });

  return () => {
    for (const c of running.values()) c.abort();
  };
}
