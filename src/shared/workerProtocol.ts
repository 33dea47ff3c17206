// Messages between the extension host (src/extension/WorkerClient.ts) and the compute child process
// (src/worker/worker.ts). Sent over the fork IPC channel with `serialization: 'advanced'`, so plain
// objects, typed arrays, Maps and bigints survive; functions, class instances and Errors do not —
// errors cross as {name, message}.
import type { AblateOptions, AblateResult, ExportModelOptions, ExportModelResult, FindOptions, FindResult, ProgressEvent } from './jobs';
import type { LayerGraphView, OverlayView } from './viewModel';
import type { WireError } from './wireError';

/** Every job the worker can run: its options and its result. */
export interface JobMap {
  /** Train masks for every subroutine × seed, ablate, run the controls, write the run folder. */
  find: { options: FindOptions; result: FindResult };
  /** Re-evaluate a saved mask under one ablation mode. */
  ablate: { options: AblateOptions; result: AblateResult };
  /** Write a pruned or ablated copy of the model. */
  exportModel: { options: ExportModelOptions; result: ExportModelResult };
  /**
   * Read a model and build its layer graph view model. Shapes are inferred from the file; only when
   * `trusted` (the workspace is trusted) may onnxruntime run the model to measure the ones left unknown.
   */
  layerGraph: { options: { modelPath: string; trusted?: boolean }; result: LayerGraphView };
  /** A run's masks and results drawn over the model's layer graph (reads the mask files). */
  overlay: { options: { modelPath: string; runDir: string; trusted?: boolean }; result: OverlayView };
}

export type JobKind = keyof JobMap;

// Host → worker

/** Start a job; the worker answers with `progress`* then exactly one `result` or `error` for `id`. */
export interface RunRequest<K extends JobKind = JobKind> {
  type: 'run';
  id: number;
  kind: K;
  options: JobMap[K]['options'];
}

/** Abort job `id`: its signal fires; the job stops within one training step and marks its run cancelled. */
export interface CancelRequest {
  type: 'cancel';
  id: number;
}

export type ToWorker = RunRequest | CancelRequest;

// Worker → host

/** The worker process is up and listening. Sent once, first. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
}

/** A progress report from job `id`. */
export interface ProgressMessage {
  type: 'progress';
  id: number;
  event: ProgressEvent;
}

/** Job `id` finished. */
export interface ResultMessage<K extends JobKind = JobKind> {
  type: 'result';
  id: number;
  kind: K;
  result: JobMap[K]['result'];
}

/** Job `id` failed (or was cancelled before it produced a result: name 'AbortError'). */
export interface ErrorMessage {
  type: 'error';
  id: number;
  error: WireError;
}

/** A line for the output channel, not tied to a job (or tied to `id` when set). */
export interface LogMessage {
  type: 'log';
  id?: number;
  message: string;
}

export type FromWorker = ReadyMessage | ProgressMessage | ResultMessage | ErrorMessage | LogMessage;

export function isFromWorker(m: unknown): m is FromWorker {
  return !!m && typeof m === 'object' && typeof (m as { type?: unknown }).type === 'string'
    && ['ready', 'progress', 'result', 'error', 'log'].includes((m as { type: string }).type);
}

export function isToWorker(m: unknown): m is ToWorker {
  if (!m || typeof m !== 'object') return false;
  const o = m as { type?: unknown; id?: unknown };
  return (o.type === 'run' || o.type === 'cancel') && typeof o.id === 'number';
}
