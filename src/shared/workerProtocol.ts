// The bodies of the messages between the extension host (src/extension/WorkerClient.ts) and the compute
// child process (src/worker/serveJobs.ts), each sent in an envelope (src/shared/envelope.ts) over the fork
// IPC channel with `serialization: 'advanced'`, so plain objects, typed arrays, Maps and bigints survive;
// functions, class instances and Errors do not (errors travel as the envelope's `error`).
//
// A job is one request: `runJob` with `wantsReply`, answered by one `jobResult` reply or one error reply
// (name 'AbortError' when it was cancelled); meanwhile `jobProgress` notifications name the request.
// The job names and their option and result types are the job map (src/jobs/jobMap.ts).
import type { ProgressEvent } from './jobs';

// Host → worker

/** A request: run job `job` with `options`. */
export interface RunJobMessage<Name extends string = string, Options = unknown> {
  type: 'runJob';
  job: Name;
  options: Options;
}

/** A notification: abort the job of request `request`; it stops within one training step. */
export interface CancelJobMessage {
  type: 'cancelJob';
  request: number;
}

export type ToWorker = RunJobMessage | CancelJobMessage;

export const TO_WORKER: readonly ToWorker['type'][] = ['runJob', 'cancelJob'];

// Worker → host

/** The worker process is up and listening. Sent once, first. */
export interface WorkerReadyMessage {
  type: 'workerReady';
  pid: number;
}

/** A progress report from the job of request `request`. */
export interface JobProgressMessage {
  type: 'jobProgress';
  request: number;
  event: ProgressEvent;
}

/** The reply to a `runJob` request: the job's result. */
export interface JobResultMessage<Result = unknown> {
  type: 'jobResult';
  result: Result;
}

/** A line for the output channel. */
export interface WorkerLogMessage {
  type: 'workerLog';
  message: string;
}

export type FromWorker = WorkerReadyMessage | JobProgressMessage | JobResultMessage | WorkerLogMessage;

export const FROM_WORKER: readonly FromWorker['type'][] = ['workerReady', 'jobProgress', 'jobResult', 'workerLog'];
