// The contract every `subnetwork-lens <command>` implements, and the argument-parsing helper they share.
import { parseArgs, type ParseArgsConfig } from 'node:util';

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
  /** Full help: synopsis line first (`subnetwork-lens inspect MODEL.onnx [--json]`), then options. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. Throw to fail: the shell prints one line. */
  run(args: string[], io?: CliIO): Promise<number>;
}

/** Wrong arguments: printed as one line plus a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` in strict mode with positionals; its errors become UsageErrors naming the command. */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''), command);
  }
}

export function parseCount(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} must be a non-negative integer, got '${text}'`);
  return Number(text);
}
