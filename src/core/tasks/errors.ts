/** Bad arguments to a task generator or workspace writer (unknown task, family mismatch, bad sizes). */
export class TaskError extends Error {
  override name = 'TaskError';
  constructor(message: string, readonly field?: string, readonly value?: unknown) {
    super(message);
  }
}
