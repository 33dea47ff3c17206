// The contract every `subnetwork-lens <command>` implements (declared with defineCommand) and its usage error.
import type { JobHooks } from '../shared/jobs';
import type { JobName } from '../jobs/jobMap';

/** Where a command writes. Defaults to the process streams; tests pass their own. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
};

export interface Command {
  /** The word after `subnetwork-lens`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The job of src/jobs/jobMap.ts the command runs, if it runs one. */
  job?: JobName;
  /** Full help: synopsis line first (`subnetwork-lens inspect MODEL.onnx [--json]`), then options. */
  usage: string;
  /**
   * Runs with the arguments after the command name; resolves to the exit code.
   * Throw to fail: the shell prints one line.
   */
  run(args: string[], io?: CliIO): Promise<number>;
}

/** Wrong arguments: printed as one line plus a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

export function parseCount(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} must be a non-negative integer, got '${text}'`);
  return Number(text);
}

/** Hooks for a job that reports nothing while it runs and is stopped only with the process. */
export function quietHooks(): JobHooks {
  return { signal: new AbortController().signal, onProgress: () => {} };
}
