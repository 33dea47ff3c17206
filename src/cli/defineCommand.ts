// A command declared once: its option table yields the `util.parseArgs` config, the checks every command
// shares (positional count, required options, integers, fixed choices) and the `--help` text.
import { parseArgs } from 'node:util';
import { parseCount, processIO, UsageError, type CliIO, type Command } from './command';
import { jobs, type Job, type JobName } from '../jobs/jobMap';

export interface OptionSpec {
  /** `count` is a non-negative integer (parsed as a string, checked, returned as a number). */
  type: 'string' | 'boolean' | 'count';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in the help, e.g. FILE. */
  metavar?: string;
  /** Help lines (the first beside the flag, the rest under it). */
  help: string | readonly string[];
  required?: boolean;
  /** For `count` options: the value when the option is absent. */
  default?: number;
  /** For `count` options: the smallest value accepted. */
  min?: number;
  /** For `string` options: the only values accepted. */
  choices?: readonly string[];
}

type OptionValue<O extends OptionSpec> = O['type'] extends 'boolean' ? boolean
  : O['type'] extends 'count' ? number
  : O['multiple'] extends true ? string[] : string;

export type OptionValues<T extends Record<string, OptionSpec>> = {
  [K in keyof T]: T[K] extends { required: true } | { default: number }
    ? OptionValue<T[K]> : OptionValue<T[K]> | undefined;
};

export interface CommandSpec<T extends Record<string, OptionSpec>, K extends JobName> {
  name: string;
  /** The job (src/jobs/jobMap.ts) the command maps its arguments to; `run` gets it as `job`. */
  job?: K;
  summary: string;
  /** The one positional argument: its placeholder and what it is (`a model file`). None when absent. */
  positional?: { metavar: string; noun: string };
  /** Prose between the synopsis and the options. */
  description: readonly string[];
  options: T;
  /** Prose after the options. */
  epilogue?: readonly string[];
  run(parsed: { positional: string; values: OptionValues<T>; job: Job<K> }, io: CliIO): Promise<number>;
}

export function defineCommand<const T extends Record<string, OptionSpec>, K extends JobName = never>(
  spec: CommandSpec<T, K>,
): Command {
  const job: Job<K> = (options, hooks) => {
    if (spec.job === undefined) throw new Error(`${spec.name} declares no job`);
    return (jobs[spec.job] as Job<K>)(options, hooks);
  };
  return {
    name: spec.name,
    summary: spec.summary,
    ...(spec.job === undefined ? {} : { job: spec.job }),
    usage: helpText(spec),
    run: async (args: string[], io: CliIO = processIO) => spec.run({ ...parseCommand(spec, args), job }, io),
  };
}

function parseCommand<T extends Record<string, OptionSpec>, K extends JobName>(
  spec: CommandSpec<T, K>, args: string[],
) {
  const { name, options } = spec;
  const config = Object.fromEntries(Object.entries(options).map(([key, o]) => [key, {
    type: o.type === 'boolean' ? 'boolean' as const : 'string' as const,
    ...(o.short ? { short: o.short } : {}),
    ...(o.multiple ? { multiple: true } : {}),
  }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: config, strict: true, allowPositionals: true });
  } catch (e) {
    const message = (e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(message, name);
  }
  const { positionals } = parsed;
  if (!spec.positional && positionals.length > 0) {
    throw new UsageError(`${name} takes no positional arguments, got '${positionals[0]}'`, name);
  }
  if (spec.positional && positionals.length !== 1) {
    const { noun } = spec.positional;
    const n = positionals.length;
    const problem = n === 0 ? `${name} needs a ${noun}` : `${name} takes one ${noun}, got ${n}`;
    throw new UsageError(problem, name);
  }
  const values: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(options)) {
    const given = parsed.values[key];
    if (given === undefined && o.required) throw new UsageError(`${name} needs ${flagWithValue(key, o)}`, name);
    values[key] = o.type === 'count' ? checkedCount(given as string | undefined, key, o, name) : given;
    if (o.choices && given !== undefined && !o.choices.includes(given as string)) {
      throw new UsageError(`--${key} must be one of ${o.choices.join(', ')}, got '${given as string}'`, name);
    }
  }
  return { positional: positionals[0] ?? '', values: values as OptionValues<T> };
}

function checkedCount(text: string | undefined, key: string, o: OptionSpec, command: string): number | undefined {
  if (text === undefined) return o.default;
  const n = parseCount(text, `--${key}`);
  if (o.min !== undefined && n < o.min) throw new UsageError(`--${key} must be at least ${o.min}, got ${n}`, command);
  return n;
}

function flagWithValue(key: string, o: OptionSpec): string {
  const flag = o.short ? `-${o.short}` : `--${key}`;
  return o.type === 'boolean' ? flag : `${flag} ${o.metavar ?? 'VALUE'}`;
}

const HELP_WIDTH = 110;

function helpText<T extends Record<string, OptionSpec>, K extends JobName>(spec: CommandSpec<T, K>): string {
  const entries = Object.entries(spec.options);
  const words = [
    ...(spec.positional ? [spec.positional.metavar] : []),
    ...entries.map(([key, o]) => {
      const word = o.required ? flagWithValue(key, o) : `[${flagWithValue(key, o)}]`;
      return o.multiple ? `${word}...` : word;
    }),
  ];
  const lead = `Usage: subnetwork-lens ${spec.name} `;
  const synopsis: string[] = [];
  for (const word of words) {
    const last = synopsis.length - 1;
    if (last >= 0 && synopsis[last]!.length + 1 + word.length <= HELP_WIDTH) synopsis[last] += ` ${word}`;
    else synopsis.push(`${last < 0 ? lead : ' '.repeat(lead.length)}${word}`);
  }
  if (synopsis.length === 0) synopsis.push(lead.trimEnd());
  const flags = entries.map(([key, o]) => {
    const long = o.type === 'boolean' ? `--${key}` : `--${key} ${o.metavar ?? 'VALUE'}`;
    return o.short ? `-${o.short}, ${long}` : long;
  });
  const width = Math.max(...flags.map((f) => f.length));
  const optionLines = entries.flatMap(([, o], i) => {
    const help = typeof o.help === 'string' ? [o.help] : [...o.help];
    if (o.required) help.push(help.pop()!.replace(/\.?$/, ' (required).'));
    return help.map((line, k) => `  ${(k === 0 ? flags[i]! : '').padEnd(width)}  ${line}`);
  });
  const lines = [...synopsis, '', ...spec.description, '', 'Options:', ...optionLines];
  if (spec.epilogue) lines.push('', ...spec.epilogue);
  return lines.join('\n');
}
