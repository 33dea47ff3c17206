/** A run folder cannot be used as asked: it is busy, not empty, unreadable, or holds a different run. */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
  constructor(message: string, readonly dir: string) {
    super(`${dir}: ${message}`);
  }
}
