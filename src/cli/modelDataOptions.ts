// Options of the commands that score one model output on one dataset (attribute, gradcheck, export),
// and how their values become job input.
import { parseCount, UsageError } from './command';
import type { OptionSpec } from './defineCommand';
import type { HeadSpec } from '../shared/spec';

export const modelDataOptions = {
  output: { type: 'string', metavar: 'NAME', help: 'Scored model output (default: the first output).' },
  head: { type: 'string', metavar: 'TYPE', help: 'classify (default) or odd-one-out.' },
  group: {
    type: 'string', metavar: 'K', help: 'Stimuli per odd-one-out problem (required with --head odd-one-out).',
  },
} as const satisfies Record<string, OptionSpec>;

export function parseHead(head: string | undefined, group: string | undefined, command: string): HeadSpec {
  if (head === undefined || head === 'classify') {
    if (group !== undefined) throw new UsageError('--group only applies to --head odd-one-out', command);
    return { type: 'classify' };
  }
  if (head !== 'odd-one-out') throw new UsageError(`--head must be classify or odd-one-out, got '${head}'`, command);
  if (group === undefined) throw new UsageError('--head odd-one-out needs --group K (stimuli per problem)', command);
  const k = parseCount(group, '--group');
  if (k < 2) throw new UsageError(`--group must be at least 2, got ${k}`, command);
  return { type: 'odd-one-out', group: k };
}

/** `--tensors a,b`: the names, or undefined when the option is absent (every maskable tensor). */
export function parseTensorList(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--tensors is empty');
  return names;
}
