// The worker's side of src/shared/workerProtocol.ts: runs each requested job of the job map with an
// AbortSignal and a progress callback, answers every request exactly once (result or error), aborts on cancel.
import type { Envelope } from '../shared/envelope';
import { isEnvelopeOf } from '../shared/envelope';
import type { JobHooks } from '../shared/jobs';
import { TO_WORKER, type FromWorker, type RunJobMessage, type ToWorker } from '../shared/workerProtocol';
import { toWireError, type WireError } from '../shared/wireError';
import type { JobTable } from '../jobs/jobMap';

/** The IPC end the worker talks through: `process` in the child, a fake in tests. */
export interface WorkerPort {
  send(message: Envelope<FromWorker>): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** Progress events are throttled to this interval per job (the last one before the result always goes out). */
const PROGRESS_INTERVAL_MS = 100;

export interface JobServer {
  /** Aborts every running job. */
  abortAll(): void;
  /** Sends a line for the host's output channel. */
  log(message: string): void;
}

/** Announces the worker (`workerReady`) and serves the jobs of `jobs` until the port closes. */
export function serveJobs(port: WorkerPort, jobs: JobTable): JobServer {
  const running = new Map<number, AbortController>();
  let nextId = 1;
  const notify = (body: FromWorker) => port.send({ messageId: nextId++, body });
  const reply = (request: number, body: FromWorker | null, error?: WireError) =>
    port.send({ messageId: nextId++, inReplyTo: request, body, ...(error ? { error } : {}) });

  const run = async (request: number, { job, options }: RunJobMessage): Promise<void> => {
    const controller = new AbortController();
    running.set(request, controller);
    let lastSent = 0;
    let pending: FromWorker | undefined;
    const hooks: JobHooks = {
      signal: controller.signal,
      onLog: (message) => notify({ type: 'workerLog', message }),
      onProgress(event) {
        const body: FromWorker = { type: 'jobProgress', request, event };
        const now = Date.now();
        if (now - lastSent >= PROGRESS_INTERVAL_MS) {
          lastSent = now;
          pending = undefined;
          notify(body);
        } else {
          pending = body;
        }
      },
    };
    try {
      if (!Object.hasOwn(jobs, job)) {
        throw new Error(`unknown job '${job}' (jobs: ${Object.keys(jobs).join(', ')})`);
      }
      const runJob = jobs[job as keyof JobTable] as (options: unknown, hooks: JobHooks) => Promise<unknown>;
      const result = await runJob(options, hooks);
      if (pending) notify(pending);
      reply(request, { type: 'jobResult', result });
    } catch (e) {
      if (pending) notify(pending);
      // After a cancel, whatever the job threw while unwinding is reported as the cancellation.
      reply(request, null, controller.signal.aborted ? { name: 'AbortError', message: 'cancelled' } : toWireError(e));
    } finally {
      running.delete(request);
    }
  };

  port.onMessage((message) => {
    if (!isEnvelopeOf<ToWorker>(message, TO_WORKER) || message.body === null) {
      const text = JSON.stringify(message)?.slice(0, 200);
      notify({ type: 'workerLog', message: `worker: ignored a malformed message ${text}` });
      return;
    }
    const { body } = message;
    if (body.type === 'cancelJob') running.get(body.request)?.abort();
    else void run(message.messageId, body);
  });

  notify({ type: 'workerReady', pid: process.pid });
  return {
    abortAll: () => {
      for (const c of running.values()) c.abort();
    },
    log: (message) => notify({ type: 'workerLog', message }),
  };
}
