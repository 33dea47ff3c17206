// Anything thrown by a job, the worker or the host → one readable sentence for a notification.
// Never a stack trace: the engine's messages already name the file, field, op or node.

/** What the user is told per error class (the engine's layers, DESIGN.md §2 / STYLE.md). */
const PREFIX: Record<string, string> = {
  OnnxFormatError: 'Cannot read the model',
  ShapeInferenceError: 'Cannot determine tensor shapes',
  UnsupportedOpError: 'The model uses an op the trainer cannot differentiate',
  AutodiffError: 'Cannot build the training graph',
  TrainerError: 'Training failed',
  DataError: 'Cannot read a dataset',
  SpecError: 'The task spec is invalid',
  TaskError: 'Cannot build the task',
  RunFolderError: 'Cannot read the run',
  ExecutionProviderError: 'Cannot use the device',
  WorkerCrashedError: 'The compute process stopped',
  WorkerError: 'The compute process is not available',
};

/** Drops stack frames and the `Name: ` prefix a stringified error carries. */
function clean(message: string): string {
  const lines = message.split('\n').filter((l) => !/^\s+at\s.+(\(.*\)|:\d+:\d+)\s*$/.test(l));
  return lines.join('\n').trim();
}

export function isCancellation(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { name?: unknown }).name === 'AbortError';
}

/** One readable message for `e`, prefixed by what was being done (`context`, e.g. "Find subnetworks"). */
export function userMessage(e: unknown, context?: string): string {
  let name = 'Error';
  let message: string;
  if (e && typeof e === 'object' && 'message' in e) {
    const n = (e as { name?: unknown }).name;
    name = typeof n === 'string' ? n : 'Error';
    message = String((e as { message: unknown }).message);
  } else {
    message = String(e);
  }
  message = clean(message).replace(new RegExp(`^${name}:\\s*`), '');
  if (isCancellation(e)) return `${context ? `${context}: ` : ''}cancelled.`;
  const prefix = PREFIX[name];
  const core = prefix ? `${prefix}: ${message}` : (message || name);
  const text = context ? `${context} failed. ${core}` : core;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
