// `--threads N` as the commands that run one onnxruntime session at a time declare it.
import type { OptionSpec } from './defineCommand';

export const threadsOption = {
  type: 'count', metavar: 'N', help: 'onnxruntime intra-op threads (0 = one per core).',
} as const satisfies OptionSpec;
