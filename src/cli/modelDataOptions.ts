// Options of the commands that score one model output on one dataset (attribute, gradcheck).
import type { OptionSpec } from './defineCommand';

export const modelDataOptions = {
  output: { type: 'string', metavar: 'NAME', help: 'Scored model output (default: the first output).' },
  head: { type: 'string', metavar: 'TYPE', help: 'classify (default) or odd-one-out.' },
  group: {
    type: 'string', metavar: 'K', help: 'Stimuli per odd-one-out problem (required with --head odd-one-out).',
  },
} as const satisfies Record<string, OptionSpec>;
