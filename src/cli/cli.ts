// The `subnetwork-lens` shell: dispatches to a registered command, prints help, and turns every error
// into one line `subnetwork-lens: <message>` with a non-zero exit code (stack only with SUBNETWORK_LENS_DEBUG=1).
import { processIO, UsageError, type CliIO, type Command } from './command';
import { commands as registered } from './commands/index';
import packageJson from '../../package.json';
import { stripControlCharacters } from './stripControlCharacters';
import { JobInputError } from '../jobs/JobInputError';

export const BIN = 'subnetwork-lens';

export async function main(
  argv: string[], rawIO: CliIO = processIO, commands: Command[] = registered,
): Promise<number> {
  const io: CliIO = {
    out: (t) => rawIO.out(stripControlCharacters(t)),
    err: (t) => rawIO.err(stripControlCharacters(t)),
  };
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.out(generalHelp(commands));
    return first === undefined ? 1 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(`${version()}\n`);
    return 0;
  }
  if (first === 'help') {
    const target = rest[0] === undefined ? undefined : find(commands, rest[0]);
    if (rest[0] !== undefined && !target) return fail(io, unknownCommand(commands, rest[0]), 2);
    io.out(target ? withNewline(target.usage) : generalHelp(commands));
    return 0;
  }
  const command = find(commands, first);
  if (!command) return fail(io, unknownCommand(commands, first), 2);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(withNewline(command.usage));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (process.env.SUBNETWORK_LENS_DEBUG === '1') io.err(`${(e as Error)?.stack ?? String(e)}\n`);
    // A job input the model does not have (an output, an initializer) is a wrong argument too.
    if (e instanceof UsageError || e instanceof JobInputError) {
      return fail(io, `${e.message} (see '${BIN} ${command.name} --help')`, 2);
    }
    return fail(io, oneLine(e), 1);
  }
}

function find(commands: Command[], name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}

function fail(io: CliIO, message: string, code: number): number {
  io.err(`${BIN}: ${message}\n`);
  return code;
}

/** The error's message on a single line; structured engine errors already name the file/op/node. */
export function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/\s*\n\s*/g, ' ').trim() || (e instanceof Error ? e.name : 'unknown error');
}

function unknownCommand(commands: Command[], name: string): string {
  const near = commands.map((c) => c.name).filter((c) => editDistance(c, name) <= 2);
  const hint = near.length ? ` Did you mean '${near[0]}'?` : '';
  const names = commands.map((c) => c.name).join(', ');
  return `unknown command '${name}'.${hint} Commands: ${names}. Run '${BIN} --help' for more.`;
}

function generalHelp(commands: Command[]): string {
  const width = Math.max(0, ...commands.map((c) => c.name.length));
  const lines = [
    `${BIN} ${version()}: find the subnetworks behind each subroutine of a compositional task in an ONNX model.`,
    '',
    `Usage: ${BIN} <command> [arguments] [--help]`,
    '',
    'Commands:',
    ...[...commands].sort((a, b) => a.name.localeCompare(b.name)).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run '${BIN} <command> --help' for a command's options. Set SUBNETWORK_LENS_DEBUG=1 to see stack traces.`,
  ];
  return `${lines.join('\n')}\n`;
}

function withNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

function version(): string {
  return packageJson.version;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}
